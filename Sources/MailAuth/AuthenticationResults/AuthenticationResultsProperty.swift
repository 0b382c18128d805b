/// One `ptype.property=value` item of a result (RFC 8601 `propspec`), such as
/// `smtp.mailfrom=user@example.com` or `header.d=example.com`, with an
/// optional comment after it (`policy.iprev=192.0.2.1 (mx.example.com)`).
///
/// The value is cleaned as the Perl module's `safe_set_value` does, which is
/// how every authentication_milter handler sets it: tab, line breaks,
/// parentheses, backslash, double quote and `;` become spaces and the ends
/// are trimmed; so do all other control characters (not in Perl). On output it is quoted when it holds whitespace, a
/// parenthesis, `;` or `=`; an empty value renders as `""`.
public struct AuthResultsProperty: Sendable, Equatable {
    /// The ptype: `smtp`, `header`, `body`, `policy`, ... Empty when the key
    /// has no dot (some handlers use plain keys such as `x-ptr-helo`).
    public var type: String
    /// The property name after the dot: `mailfrom`, `d`, `iprev`, ...
    public var name: String
    /// The cleaned value; assigning cleans again, so it is never raw.
    public var value: String {
        didSet { value = AuthResultsText.safeValue(value) }
    }
    public var comment: AuthResultsComment?

    public init(type: String, name: String, value: String, comment: AuthResultsComment? = nil) {
        self.type = type
        self.name = name
        self.value = AuthResultsText.safeValue(value)
        self.comment = comment
    }

    /// Builds from a whole key such as `"smtp.mailfrom"`, split at the first
    /// dot; a key that starts with a dot is kept whole as the name, so that
    /// `key` always gives back what was passed.
    public init(key: String, value: String, comment: AuthResultsComment? = nil) {
        if let dot = key.firstIndex(of: "."), dot != key.startIndex {
            self.init(type: String(key[..<dot]), name: String(key[key.index(after: dot)...]),
                      value: value, comment: comment)
        } else {
            self.init(type: "", name: key, value: value, comment: comment)
        }
    }

    /// `type.name`, or the bare name when there is no type.
    public var key: String { type.isEmpty ? name : type + "." + name }

    /// The property on one line, e.g. `smtp.mailfrom=a@example.com (why)`.
    public var rendered: String {
        var tokens = AuthResultsTokens()
        build(into: &tokens, depth: 0, layout: .flat)
        return tokens.tokens.map(\.text).joined()
    }

    func build(into tokens: inout AuthResultsTokens, depth: Int, layout: AuthResultsLayout) {
        guard tokens.keyValue(key: key, value: value) else { return }
        if let comment {
            layout.prefix(.comment, depth: depth + 1, into: &tokens)
            tokens.append(.comment, comment.rendered)
        }
    }
}
