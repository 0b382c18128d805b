/// The command line of `authentication_milter_client`, Perl's options and
/// defaults (`--mailer_name`, `--connect_ip`, `--connect_name`,
/// `--connect_port`, `--connect_type`, `--helo_host`, `--mail_from`,
/// `--rcpt_to`, `--mail_file`, `--help`), each as `--name value` or
/// `--name=value`, plus ours: `--prefix DIR` (where
/// `authentication_milter.json` is, to find the milter's `connection`;
/// default /etc, as Perl's) and `--connection SPEC` (the milter's socket,
/// instead of the configuration's). Pure value code.
public struct MilterClientToolOptions: Sendable, Equatable {
    public var mailerName = "test.mta.example.com"
    public var connectIP = "127.0.0.1"
    public var connectName = "localhost.localdomain"
    public var connectPort = "54321"
    public var connectType = "tcp4"
    public var heloHost = "localhost.example.com"
    public var mailFrom = "test_user@localhost.example.com"
    public var rcptTo = "test_user@mta.example.com"
    /// A path, or "-" for standard input.
    public var mailFile = ""
    public var prefix = "/etc"
    public var connection: String?
    /// `--check` (ours): run the configuration's handlers in this process
    /// on the message, no daemon and no MTA needed.
    public var check = false
    /// `--dns SERVER` (ours, with `--check`, repeatable): the resolvers to
    /// ask (`ip`, `ip:port`, `[ipv6]:port`); otherwise the configuration's
    /// `dns_resolvers`, else /etc/resolv.conf's.
    public var dnsServers: [String] = []
    public var help = false

    /// Why a command line was refused.
    public struct UsageError: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public init(reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    public init() {}

    public init(arguments: [String]) throws(UsageError) {
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "-h" || word == "--help" { help = true; continue }
            if word == "--check" { check = true; continue }
            guard word.hasPrefix("--") else { throw UsageError(reason: "unexpected argument \(word)") }
            var name = String(word.dropFirst(2))
            var value: String
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            } else {
                guard index < arguments.count else { throw UsageError(reason: "--\(name) needs a value") }
                value = arguments[index]
                index += 1
            }
            switch name {
            case "mailer_name": mailerName = value
            case "connect_ip": connectIP = value
            case "connect_name": connectName = value
            case "connect_port": connectPort = value
            case "connect_type": connectType = value
            case "helo_host": heloHost = value
            case "mail_from": mailFrom = value
            case "rcpt_to": rcptTo = value
            case "mail_file": mailFile = value
            case "prefix": prefix = value
            case "connection": connection = value
            case "dns": dnsServers.append(value)
            default: throw UsageError(reason: "unknown option --\(name)")
            }
            // Values go into milter packets as NUL-terminated strings.
            guard !value.utf8.contains(0) else { throw UsageError(reason: "--\(name) contains a NUL byte") }
        }
        if !help && mailFile.isEmpty { throw UsageError(reason: "Please supply a mail file (--mail_file FILE, or - for standard input)") }
    }

    /// An address as the MTA sends it in MAIL FROM / RCPT TO: in angle brackets.
    public static func bracketed(_ address: String) -> String {
        address.hasPrefix("<") ? address : "<\(address)>"
    }

    public static let usage = """
        usage: authentication_milter_client [--mailer_name NAME] [--connect_ip IP] [--connect_name NAME]
                 [--connect_port PORT] [--connect_type TYPE] [--helo_host HOST] [--mail_from ADDRESS]
                 [--rcpt_to ADDRESS] [--prefix DIR] [--connection SPEC] [--check [--dns SERVER]...]
                 --mail_file FILE|-
        Replays one message through the running milter (its `connection` from DIR/authentication_milter.json,
        or SPEC) as an MTA would, and prints the message with the milter's header changes applied.
        --check runs DIR's handlers in this process instead (no daemon, no MTA), asking SERVER, else
        the configuration's dns_resolvers, else /etc/resolv.conf's resolvers.
        """
}
