#if canImport(Glibc)
import Glibc
#endif
import Config
import JSON
import MailAuth

/// What `dmarc_send_reports` and `dmarc_view_reports` share: the milter's
/// own `--prefix` (where authentication_milter.json lives, default /etc)
/// and `-i/--ident` (which picks the same fallback `lib_dir` as the
/// milter), the loaded configuration and the report settings in it.
public struct ReportCommandContext {
    public var configuration: Configuration
    public var settings: DMARCReportSettings
    /// Arguments left after the shared ones, for the command's own.
    public var remaining: [String]

    /// Prints `command: message` on standard error and exits with 1.
    public static func fail(_ command: String, _ message: String) -> Never {
        let bytes = Array("\(command): \(message)\n".utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress!, $0.count) }
        exit(1)
    }

    /// `strftime` text of a C buffer.
    public static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public init(arguments: [String]) throws {
        var prefix = "/etc"
        var ident: String?
        var rest: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            func value() throws -> String {
                if let equals = word.firstIndex(of: "=") { return String(word[word.index(after: equals)...]) }
                index += 1
                guard index < arguments.count else { throw ReportError(.usage, "\(word) needs a value") }
                return arguments[index]
            }
            if word == "--prefix" || word.hasPrefix("--prefix=") {
                prefix = try value()
            } else if word == "-i" || word == "--ident" || word.hasPrefix("--ident=") {
                ident = try value()
            } else {
                rest.append(word)
            }
            index += 1
        }
        var loaded = try ConfigurationLoader.load(prefix: prefix).configuration
        loaded.resolveUnsetDirectories(ident: ident.map { "authentication_milter_\($0)" } ?? "authentication_milter")
        configuration = loaded
        settings = try DMARCReportSettings(configuration: loaded, hostname: Self.hostname())
        remaining = rest
    }

    /// The public suffix list the DMARC handler uses (its
    /// `public_suffix_list`, default Debian's), for organizational domains.
    public static func publicSuffixList(_ configuration: Configuration) throws(ConfigurationError) -> PublicSuffixList {
        let node = configuration.handlers.first { $0.name == "DMARC" }?.node
            ?? ConfigNode(value: .object(JSONObject()), origin: ConfigOrigin(file: "<no DMARC handler>"))
        return try DMARCPublicSuffixFile.load(node, key: "public_suffix_list")
    }

    static func hostname() -> String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, 255) == 0 else { return "localhost" }
        return text(name)
    }
}
