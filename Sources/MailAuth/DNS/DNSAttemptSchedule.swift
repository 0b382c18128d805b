/// When the helper sends which attempt of one query to which resolver.
///
/// It keeps the Net::DNS model behind the Perl program (`retry =>
/// dns_retry`, `udp_timeout => dns_timeout`): `rounds` rounds, each trying
/// every resolver in order, the wait for an answer doubling every round,
/// all inside `timeout`, so the number of packets per question is the
/// Perl program's. What differs is when they go out: the first wait is
/// short (`initialWait`, or less when the timeout is small) and the last
/// attempt waits for whatever is left of the timeout:
///
///     base = min(initialWait, timeout / (servers * (2^rounds - 1)))
///     round r waits base * 2^r; the very last attempt waits until `timeout`
///
/// e.g. 10 s, 2 rounds, 1 server: attempt at 0 s, retry at 0.8 s, give up
/// at 10 s. A lost packet (a resolver that drops queries under bursts, a
/// lossy link) costs 0.8 s instead of the 3.3 s an evenly scaled schedule
/// waits. Earlier attempts keep listening: a late answer to the first
/// packet is as good as one to the retry, so a slow recursion is not cut
/// short either.
public struct DNSAttemptSchedule: Hashable, Sendable {
    public struct Attempt: Hashable, Sendable {
        /// Index into the resolver list.
        public var server: Int
        /// Milliseconds to wait for an answer before the next attempt.
        public var wait: UInt64
    }

    /// Shortest wait worth a packet: below this, retries just add load.
    public static let minimumWait: UInt64 = 50
    /// The longest first wait: most recursive answers come well inside it,
    /// and a retransmission to a resolver still working on the question
    /// only joins that work.
    public static let initialWait: UInt64 = 800

    public let attempts: [Attempt]
    public let timeout: UInt64

    /// `rounds` is `dns_retry` (at least 1, at most 8: more only shortens
    /// every wait below usefulness).
    public init(servers: Int, rounds: Int, timeout: UInt64) {
        let servers = max(1, servers)
        let rounds = min(8, max(1, rounds))
        self.timeout = timeout
        let slots = UInt64(servers) * ((UInt64(1) << UInt64(rounds)) - 1)
        let base = max(Self.minimumWait, min(Self.initialWait, timeout / slots))
        var attempts: [Attempt] = []
        for round in 0..<rounds {
            for server in 0..<servers {
                attempts.append(Attempt(server: server, wait: base << UInt64(round)))
            }
        }
        // The last attempt listens until the timeout.
        let before = attempts.dropLast().reduce(UInt64(0)) { $0 + $1.wait }
        if timeout > before, let last = attempts.indices.last {
            attempts[last].wait = max(attempts[last].wait, timeout - before)
        }
        self.attempts = attempts
    }
}
