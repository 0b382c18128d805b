import MailAuth

/// The options of `authentication_milter_log arex`, named as Perl's tool
/// names them: `--combine` (`-c`) one header per line, `--fold_at` (`-a`,
/// default 99999), `--indent_by` (`-b`), `--indent_style` (`-s`: none,
/// entry, subentry, full), `--space` (`-p`, blank lines after each log
/// line), then the files (standard input when none).
public struct ARexFormatOptions: Sendable, Equatable {
    public var combine = false
    public var foldAt = 99_999
    /// Unset: the module's default, 4.
    public var indentBy: Int?
    /// Unset: the module's default, `entry`.
    public var indentStyle: AuthResultsIndentStyle?
    public var space = 0
    public var files: [String] = []

    public init() {}

    /// The largest number an option takes: a fold column or indent beyond
    /// this means nothing, and a `--space` of millions would only flood.
    public static let maximumNumber = 100_000

    public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Perl's `validate_args`: numbers must be digits, the style one of
    /// four. `--name=value` and `--name value` both work, as Getopt::Long's.
    public static func parse(_ arguments: [String]) throws(UsageError) -> ARexFormatOptions {
        var options = ARexFormatOptions()
        var index = arguments.startIndex
        func value(_ name: String, inline: String?) throws(UsageError) -> String {
            if let inline { return inline }
            index += 1
            guard index < arguments.endIndex else { throw UsageError(description: "\(name) needs a value") }
            return arguments[index]
        }
        func number(_ name: String, _ text: String) throws(UsageError) -> Int {
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let n = Int(text), n <= maximumNumber else {
                throw UsageError(description: "\(name) must be numeric (0-\(maximumNumber))")
            }
            return n
        }
        var onlyFiles = false
        while index < arguments.endIndex {
            let argument = arguments[index]
            if onlyFiles || !argument.hasPrefix("-") || argument == "-" {
                options.files.append(argument)
                index += 1
                continue
            }
            if argument == "--" {
                onlyFiles = true
                index += 1
                continue
            }
            var name = argument
            var inline: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            switch name {
            case "--combine", "-c": options.combine = true
            case "--fold_at", "-a": options.foldAt = try number("fold_at", value(name, inline: inline))
            case "--indent_by", "-b":
                // Perl sets it only when true: 0 leaves the default.
                let n = try number("indent_by", value(name, inline: inline))
                options.indentBy = n == 0 ? nil : n
            case "--space", "-p": options.space = try number("space", value(name, inline: inline))
            case "--indent_style", "-s":
                let text = try value(name, inline: inline)
                guard let style = AuthResultsIndentStyle(rawValue: text) else { throw UsageError(description: "Unknown indent style") }
                options.indentStyle = style
            default:
                throw UsageError(description: "unknown option \(argument)")
            }
            index += 1
        }
        return options
    }

    /// What the tool prints for one log line: each header on its own
    /// (`<field name>: <value>`), or with `--combine` every entry under
    /// one `Authentication-Results:` with the first header's authserv-id;
    /// then `space` empty lines. A line that is not ARex gives Perl's
    /// `Error decoding line.`.
    public func render(logLine: String) -> String {
        guard let line = try? ARexLine(logLine: logLine) else { return "Error decoding line.\n" }
        var out = ""
        if combine {
            if let first = line.headers.first {
                let merged = AuthenticationResultsHeader(authservID: first.header.authservID,
                                                         entries: line.headers.flatMap(\.header.entries))
                out += "Authentication-Results: " + format(merged) + "\n"
            }
        } else {
            for item in line.headers { out += item.fieldName + ": " + format(item.header) + "\n" }
        }
        out += String(repeating: "\n", count: space)
        return out
    }

    /// The header value with the chosen folding; a fold column of 0 is
    /// Perl's "not set" (`if $opt->fold_at`), the module's default then.
    public func format(_ header: AuthenticationResultsHeader) -> String {
        header.value(style: indentStyle ?? .entry, indentBy: indentBy ?? 4, foldAt: foldAt)
    }
}
