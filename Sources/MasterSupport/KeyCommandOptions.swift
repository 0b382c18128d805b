/// The command lines of `authentication_milter genkey` and `testkey`
/// (ours: the Perl program has neither), parsed as pure values:
///
///     authentication_milter genkey --type rsa|ed25519 --domain D --selector S [--bits N] [--out FILE]
///     authentication_milter testkey --domain D --selector S --key FILE [--dns SERVER]...
public struct KeyCommandOptions: Sendable, Equatable {
    public enum Command: String, Sendable {
        case genkey
        case testkey
    }

    public var command: Command
    public var type = "rsa"
    public var bits = 2048
    public var domain = ""
    public var selector = ""
    /// genkey: where the private key goes (created, never replaced); nil
    /// prints it. testkey: the private key to check.
    public var keyFile: String?
    public var dnsServers: [String] = []

    public struct UsageError: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public init(reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    public static let usage = """
        usage: authentication_milter genkey --type rsa|ed25519 --domain DOMAIN --selector SELECTOR [--bits N] [--out FILE]
               authentication_milter testkey --domain DOMAIN --selector SELECTOR --key FILE [--dns SERVER]...
        """

    /// `arguments` without the program name; nil when the first word is
    /// neither command (the daemon's own command line then).
    public static func parse(_ arguments: [String]) throws(UsageError) -> KeyCommandOptions? {
        guard let first = arguments.first, let command = Command(rawValue: first) else { return nil }
        var options = KeyCommandOptions(command: command)
        var index = 1
        while index < arguments.count {
            var name = arguments[index]
            index += 1
            var value: String
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            } else {
                guard index < arguments.count else { throw UsageError(reason: "\(name) needs a value") }
                value = arguments[index]
                index += 1
            }
            switch (command, name) {
            case (.genkey, "--type"):
                guard value == "rsa" || value == "ed25519" else { throw UsageError(reason: "--type is rsa or ed25519, not \(value)") }
                options.type = value
            case (.genkey, "--bits"):
                guard let bits = Int(value), (1024...8192).contains(bits) else { throw UsageError(reason: "--bits is 1024 to 8192") }
                options.bits = bits
            case (.genkey, "--out"), (.testkey, "--key"): options.keyFile = value
            case (.testkey, "--dns"): options.dnsServers.append(value)
            case (_, "--domain"): options.domain = value.lowercased()
            case (_, "--selector"): options.selector = value.lowercased()
            default: throw UsageError(reason: "\(command.rawValue): unknown option \(name)")
            }
        }
        for (label, value) in [("--domain", options.domain), ("--selector", options.selector)] {
            guard !value.isEmpty else { throw UsageError(reason: "\(command.rawValue): \(label) is required") }
            // A DNS name's characters only: it goes into a record name.
            guard value.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_")
                                          || (0x30...0x39).contains($0) || (0x61...0x7a).contains($0) }) else {
                throw UsageError(reason: "\(label) \(value) is not a DNS name")
            }
        }
        if command == .testkey && options.keyFile == nil { throw UsageError(reason: "testkey: --key is required") }
        return options
    }
}
