
/// A handler's `auth_header_name` (Perl 3.20210825, "Split auth headers"):
/// the header its Authentication-Results entries go into instead of
/// `Authentication-Results`. `Authentication-Results:<tag>` names a header
/// of its own that is still written `Authentication-Results` (the `:tag`
/// is dropped when writing), so one result set can be split into several
/// headers; `X-Experimental-Results` renames it. Entries of handlers
/// without the key stay in the one `Authentication-Results` header.
import Config
import JSON

public struct AuthResultsHeaderName: Hashable, Sendable, Comparable {
    public static let standard = AuthResultsHeaderName(key: "Authentication-Results")

    /// As configured: what groups entries (`Authentication-Results:bimi`).
    public let key: String

    /// The field name written: the key up to its first ":".
    public var fieldName: String {
        key.firstIndex(of: ":").map { String(key[..<$0]) } ?? key
    }

    init(key: String) { self.key = key }

    public static func < (lhs: AuthResultsHeaderName, rhs: AuthResultsHeaderName) -> Bool { lhs.key < rhs.key }

    public static let configKey = "auth_header_name"

    /// The handler block's `auth_header_name`, nil when absent or empty.
    /// The field name must be RFC 5322 field-name text (printable ASCII
    /// but ":", at most 64 bytes); the tag after ":" any printable ASCII.
    public static func parse(_ handlerConfig: ConfigNode) throws(ConfigurationError) -> AuthResultsHeaderName? {
        guard let node = handlerConfig.child(configKey), !node.isNull else { return nil }
        let text = try node.stringValue()
        if text.isEmpty { return nil }
        let name = AuthResultsHeaderName(key: text)
        let field = name.fieldName.utf8
        guard !field.isEmpty, field.count <= 64, field.allSatisfy({ $0 >= 33 && $0 <= 126 && $0 != UInt8(ascii: ":") }),
              text.utf8.count <= 256, text.utf8.allSatisfy({ $0 >= 33 && $0 <= 126 }) else {
            throw node.error("not a header field name (printable ASCII without spaces, \"Name\" or \"Name:tag\"): \(JSONSerializer.quoted(text))")
        }
        return name
    }

    /// Every enabled handler's header name, by handler name.
    public static func all(_ configuration: Configuration) throws(ConfigurationError) -> [String: AuthResultsHeaderName] {
        var names: [String: AuthResultsHeaderName] = [:]
        for entry in configuration.enabledHandlers {
            if let name = try parse(entry.node) { names[entry.name] = name }
        }
        return names
    }
}
