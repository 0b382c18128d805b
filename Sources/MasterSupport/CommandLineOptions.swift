/// The master's command line, parsed the way the Perl program's
/// Getopt::Long call does: `-c|--control <cmd>`, `-d|--daemon`,
/// `--pidfile <file>`, `-h|--help [topic]`, `--prefix <dir>`,
/// `-i|--ident <ident>`; `--opt=value` and `--opt value` both work, and
/// unambiguous long-option abbreviations (`--pid`, `--cont`) are accepted.
public struct CommandLineOptions: Equatable, Sendable {
    /// Perl's four, and `check` (ours): load and check the configuration
    /// as a start would, then exit.
    public enum Control: String, Sendable, CaseIterable { case start, restart, stop, status, check }

    public var control: Control?
    public var daemon = false
    public var pidfileGiven: String?
    /// nil: no -h; "": plain -h; else the topic (installed, default_config, Module).
    public var help: String?
    public var prefix = "/etc"
    public var ident: String?

    public init() {}

    /// The pidfile: as given, else /run/authentication_milter.pid, with the
    /// ident in the name when one is given so two instances never share it.
    public var pidfile: String {
        if let pidfileGiven { return pidfileGiven }
        if let ident { return "/run/authentication_milter_\(ident).pid" }
        return "/run/authentication_milter.pid"
    }

    /// The syslog ident, as the Perl program builds it.
    public var logIdent: String {
        if let ident { return "authentication_milter_\(ident)" }
        return "authentication_milter"
    }

    public struct UsageError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    private static let longOptions = ["control", "daemon", "pidfile", "help", "prefix", "ident"]

    public static func parse(_ arguments: [String]) throws(UsageError) -> CommandLineOptions {
        var options = CommandLineOptions()
        var index = 0
        func value(for name: String, inline: String?) throws(UsageError) -> String {
            if let inline { return inline }
            index += 1
            guard index < arguments.count else { throw UsageError(description: "Option \(name) requires an argument") }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            var name: String
            var inline: String? = nil
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                if let eq = body.firstIndex(of: "=") {
                    name = String(body[..<eq])
                    inline = String(body[body.index(after: eq)...])
                } else {
                    name = String(body)
                }
                let matches = longOptions.filter { $0.hasPrefix(name) }
                if matches.contains(name) {
                    // exact
                } else if matches.count == 1 {
                    name = matches[0]
                } else {
                    throw UsageError(description: "Unknown option: \(name)")
                }
            } else if argument.hasPrefix("-") && argument.count >= 2 {
                let letter = argument.dropFirst().prefix(1)
                let rest = argument.dropFirst(2)
                switch letter {
                case "c": name = "control"
                case "d": name = "daemon"
                case "h": name = "help"
                case "i": name = "ident"
                default: throw UsageError(description: "Unknown option: \(argument.dropFirst())")
                }
                if !rest.isEmpty { inline = String(rest.hasPrefix("=") ? rest.dropFirst() : rest) }
            } else {
                throw UsageError(description: "Unexpected argument: \(argument)")
            }
            switch name {
            case "control":
                let text = try value(for: name, inline: inline)
                guard let control = Control(rawValue: text) else {
                    throw UsageError(description: "Unknown control command '\(text)': use start, restart, stop, status or check")
                }
                options.control = control
            case "daemon":
                options.daemon = true
            case "pidfile":
                options.pidfileGiven = try value(for: name, inline: inline)
            case "prefix":
                options.prefix = try value(for: name, inline: inline)
            case "ident":
                let ident = try value(for: name, inline: inline)
                guard !ident.isEmpty, ident.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }) else {
                    throw UsageError(description: "ident '\(ident)' may hold only letters, digits, '_', '-' and '.'")
                }
                options.ident = ident
            case "help":
                // Optional argument: taken when the next word is not an option.
                if let inline {
                    options.help = inline
                } else if index + 1 < arguments.count, !arguments[index + 1].hasPrefix("-") {
                    index += 1
                    options.help = arguments[index]
                } else {
                    options.help = ""
                }
            default:
                throw UsageError(description: "Unknown option: \(name)")
            }
            index += 1
        }
        return options
    }
}
