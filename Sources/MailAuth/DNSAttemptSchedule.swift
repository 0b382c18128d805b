/// When the helper sends which attempt of one query to which resolver.
///
/// It follows what the Perl program gets from Net::DNS with `retry =>
/// dns_retry` and `udp_timeout => dns_timeout`: `rounds` rounds, each
/// trying every resolver in order, the wait for an answer doubling every
/// round, all inside `timeout`. Here the waits are scaled so the whole
/// schedule fills `timeout` exactly:
///
///     base = timeout / (servers * (2^rounds - 1)),  round r waits base * 2^r
///
/// e.g. 10 s, 2 rounds, 1 server: attempt at 0 s, retry at 3.3 s, give up
/// at 10 s. Earlier attempts keep listening: a late answer to the first
/// packet is as good as one to the retry.
public struct DNSAttemptSchedule: Hashable, Sendable {
    public struct Attempt: Hashable, Sendable {
        /// Index into the resolver list.
        public var server: Int
        /// Milliseconds to wait for an answer before the next attempt.
        public var wait: UInt64
    }

    /// Shortest wait worth a packet: below this, retries just add load.
    public static let minimumWait: UInt64 = 50

    public let attempts: [Attempt]
    public let timeout: UInt64

    /// `rounds` is `dns_retry` (at least 1, at most 8: more only shortens
    /// every wait below usefulness).
    public init(servers: Int, rounds: Int, timeout: UInt64) {
        let servers = max(1, servers)
        let rounds = min(8, max(1, rounds))
        self.timeout = timeout
        let slots = UInt64(servers) * ((UInt64(1) << UInt64(rounds)) - 1)
        let base = max(Self.minimumWait, timeout / slots)
        var attempts: [Attempt] = []
        for round in 0..<rounds {
            for server in 0..<servers {
                attempts.append(Attempt(server: server, wait: base << UInt64(round)))
            }
        }
        self.attempts = attempts
    }
}
