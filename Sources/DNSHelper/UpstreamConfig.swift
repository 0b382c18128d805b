import MailAuth

/// How the helper talks to the resolvers, fixed at start-up from the
/// command line.
struct UpstreamConfig {
    var servers: [UpstreamServer]
    var schedule: DNSAttemptSchedule
    /// `dns_timeout` in µs: the deadline of one lookup, CNAME links included.
    var timeout: UInt64
    /// `dns_servfail_timeout` in µs.
    var servfailLimit: UInt64

    init(options: HelperOptions, servers: [DNSServerAddress]) {
        self.servers = servers.map(UpstreamServer.init)
        timeout = UInt64(options.timeout * 1_000_000)
        schedule = DNSAttemptSchedule(servers: servers.count, rounds: options.retry, timeout: timeout / 1000)
        servfailLimit = options.servfailTimeoutMicroseconds
    }
}
