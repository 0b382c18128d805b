import IPC
import MailAuth

/// The command line of `authmilter-dns`, which the master builds from the
/// configuration:
///
///     authmilter-dns [--resolver ADDR]... [--timeout SECONDS] [--retry N]
///                    [--servfail-timeout-us N] [--runas USER]
///                    [--rungroup GROUP] [--ident NAME] [--debug]
///
/// `--resolver` is `dns_resolvers` (repeatable; none: /etc/resolv.conf),
/// `--timeout` is `dns_timeout`, `--retry` is `dns_retry`,
/// `--servfail-timeout-us` is `dns_servfail_timeout`. `--ident` is accepted
/// and ignored: the master prefixes our log lines with its ident. A zero timeout or
/// retry means the default, as `dns_timeout || ...` does in the Perl
/// program.
struct HelperOptions: Equatable {
    var resolvers: [DNSServerAddress] = []
    /// Seconds for one lookup, retries included.
    var timeout: Double = 10
    /// Rounds over the resolvers (Net::DNS `retry`).
    var retry = 2
    /// A SERVFAIL that took longer than this is reported as a timeout.
    var servfailTimeoutMicroseconds: UInt64 = 1_000_000
    var user: String?
    var group: String?
    var debug = false

    static let usage = "usage: authmilter-dns [--resolver ADDR]... [--timeout SECONDS] [--retry N] "
        + "[--servfail-timeout-us N] [--runas USER] [--rungroup GROUP] [--ident NAME] [--debug]"

    init() {}

    init(arguments: [String]) throws(HelperCommandLine.UsageError) {
        var line = HelperCommandLine(arguments)
        while let argument = try line.nextOption() {
            switch argument {
            case "--resolver":
                let text = try line.value(argument)
                guard let server = DNSServerAddress(text) else {
                    throw .init("--resolver \(text): not an IP address (forms: 192.0.2.1, 192.0.2.1:5353, 2001:db8::1, [2001:db8::1]:5353)")
                }
                resolvers.append(server)
            case "--timeout":
                let text = try line.value(argument)
                guard let seconds = Double(text), seconds >= 0, seconds <= 3600 else {
                    throw .init("--timeout \(text): not a number of seconds")
                }
                timeout = seconds == 0 ? 10 : seconds
            case "--retry":
                let text = try line.value(argument)
                guard let n = Int(text), n >= 0, n <= 100 else { throw .init("--retry \(text): not a count") }
                retry = n == 0 ? 2 : n
            case "--servfail-timeout-us":
                let text = try line.value(argument)
                guard let n = UInt64(text) else { throw .init("--servfail-timeout-us \(text): not a number of microseconds") }
                servfailTimeoutMicroseconds = n
            default:
                throw .init("unknown argument \(argument)")
            }
        }
        user = line.user
        group = line.group
        debug = line.debug
    }
}
