/// One method result of an `Authentication-Results` header (RFC 8601
/// `resinfo`), e.g. `spf=pass smtp.mailfrom=a@example.com smtp.helo=mx`.
///
/// Comments and properties are kept in the order they were added, because
/// the Perl program renders them in that order and sometimes adds a comment
/// after the properties (the SPF handler's upgrade warning, for one). The
/// version, when present, is written first, as the Perl module writes it:
/// `dkim=pass / 1 header.d=...`.
public struct AuthResultsEntry: Sendable, Equatable {
    /// A comment or a property, in rendering order.
    public enum Part: Sendable, Equatable {
        case comment(AuthResultsComment)
        case property(AuthResultsProperty)
    }

    /// The method name (`spf`, `dkim`, `dmarc`, `iprev`, `x-ptr`, ...),
    /// written as given; quoted only if it held a space, `;`, `=` or a
    /// parenthesis, which no handler's method does.
    public var method: String
    /// The result (`pass`, `fail`, `none`, ...), cleaned like a property value.
    public var result: String {
        didSet { result = AuthResultsText.safeValue(result) }
    }
    /// The method version: digits only, `1` when something non-numeric was given.
    public var version: String? {
        didSet { version = version.map(AuthResultsText.safeVersion) }
    }
    public var parts: [Part]

    /// The common shape: an optional comment right after the result, then the
    /// properties (`dkim=pass (2048-bit rsa key sha256) header.d=...`).
    public init(method: String, result: String, version: String? = nil,
                comment: AuthResultsComment? = nil, properties: [AuthResultsProperty] = []) {
        var parts: [Part] = comment.map { [.comment($0)] } ?? []
        parts += properties.map(Part.property)
        self.init(method: method, result: result, version: version, parts: parts)
    }

    /// Any order of comments and properties.
    public init(method: String, result: String, version: String? = nil, parts: [Part]) {
        self.method = method
        self.result = AuthResultsText.safeValue(result)
        self.version = version.map(AuthResultsText.safeVersion)
        self.parts = parts
    }

    /// The entry's own comments, in order. Setting replaces them in place
    /// (the n-th comment by the n-th new one); extra new ones go at the end.
    public var comments: [AuthResultsComment] {
        get { parts.compactMap { if case .comment(let c) = $0 { c } else { nil } } }
        set { parts = Self.replacing(parts, with: newValue.map(Part.comment)) { if case .comment = $0 { true } else { false } } }
    }

    /// The first comment, the one usually written right after the result.
    public var comment: AuthResultsComment? { comments.first }

    /// The properties, in order. Setting replaces them in place (the n-th
    /// property by the n-th new one); extra new ones go at the end.
    public var properties: [AuthResultsProperty] {
        get { parts.compactMap { if case .property(let p) = $0 { p } else { nil } } }
        set { parts = Self.replacing(parts, with: newValue.map(Part.property)) { if case .property = $0 { true } else { false } } }
    }

    public mutating func append(_ property: AuthResultsProperty) {
        parts.append(.property(property))
    }

    public mutating func append(_ comment: AuthResultsComment) {
        parts.append(.comment(comment))
    }

    /// The entry on its own, as the Perl module's `Entry->as_string` gives
    /// it: single spaces, folded only past 800 bytes. authentication_milter
    /// sorts the entries of a header by comparing these strings bytewise
    /// (`header_sort`, unless a handler sorts its own entries).
    public var sortKey: String {
        var tokens = AuthResultsTokens()
        build(into: &tokens, depth: 0, layout: .flat)
        let folder = AuthResultsFolder(eol: AuthResultsEOL.lf.rawValue, indent: "    ",
                                       tryFoldAt: AuthResultsFolder.defaultTryFoldAt)
        return folder.render(tokens.tokens)
    }

    /// How `sortKey` starts: `method=result` as the entry writes it, or
    /// empty when that could come out otherwise (a head long enough for
    /// the folder to touch; a method that writes nothing). Cheap: no
    /// comments or properties, no folder.
    var sortKeyHead: String {
        var tokens = AuthResultsTokens()
        guard tokens.keyValue(key: method, value: result) else { return "" }
        var head = ""
        for token in tokens.tokens { head += token.text }
        // Far below the fold width (800): the folder leaves it as it is.
        return head.utf8.count <= 200 ? head : ""
    }

    func build(into tokens: inout AuthResultsTokens, depth: Int, layout: AuthResultsLayout) {
        guard tokens.keyValue(key: method, value: result) else { return }
        if let version {
            layout.prefix(.version, depth: depth + 1, into: &tokens)
            // A version Perl finds false ("0") writes nothing after its space.
            if AuthResultsText.isPerlTrue(version) {
                tokens.append(.separator, "/")
                tokens.append(.space, " ")
                tokens.append(.string, version)
            }
        }
        for part in parts {
            switch part {
            case .comment(let comment):
                layout.prefix(.comment, depth: depth + 1, into: &tokens)
                tokens.append(.comment, comment.rendered)
            case .property(let property):
                layout.prefix(.property, depth: depth + 1, into: &tokens)
                property.build(into: &tokens, depth: depth + 1, layout: layout)
            }
        }
    }

    private static func replacing(_ parts: [Part], with replacements: [Part],
                                  where matches: (Part) -> Bool) -> [Part] {
        var remaining = replacements[...]
        var result: [Part] = []
        for part in parts {
            if matches(part) {
                if let next = remaining.popFirst() { result.append(next) }
            } else {
                result.append(part)
            }
        }
        result += remaining
        return result
    }
}
