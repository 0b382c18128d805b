/// Why `MailboxListParser` refused an address field. Offsets count UTF-8
/// bytes from the start of the field value. Any of these means the field
/// names no address at all: a checker must not guess one (a guessed
/// domain is one an attacker chose).
public enum AddressListParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The value is longer than the parser's `maximumLength` (bytes).
    case inputTooLong(length: Int, limit: Int)
    /// A `(` without its `)`.
    case unterminatedComment(at: Int)
    /// A `"` without its closing `"`.
    case unterminatedQuotedString(at: Int)
    /// A `[` without its `]`.
    case unterminatedDomainLiteral(at: Int)
    /// A `<` without its `>`.
    case unterminatedAngleAddress(at: Int)
    /// A local part with no `@domain` after it (`From: foo`).
    case missingAt(at: Int)
    /// An `@` with no local part before it.
    case missingLocalPart(at: Int)
    /// An `@` with no domain after it.
    case missingDomain(at: Int)
    /// `<>`: an angle address holding no address.
    case emptyAngleAddress(at: Int)
    /// A dot at the start or end of a local part or domain, or two dots
    /// in a row (outside quotes).
    case misplacedDot(at: Int)
    /// A byte the grammar never allows where it stands: NUL anywhere, a
    /// bare CR or LF inside a quoted string, a control character or `[`
    /// inside a domain literal.
    case forbiddenCharacter(UInt8, at: Int)
    /// A byte that cannot follow what came before it, such as a second
    /// `@` (`a@b@example.net`) or a second angle address.
    case unexpectedCharacter(UInt8, at: Int)
    /// Nothing between two commas.
    case emptyListElement(at: Int)
    /// A source route (`<@a.example:...>`) without its `:`.
    case invalidRoute(at: Int)

    /// What a program or a test matches, without the values.
    public enum Code: String, Hashable, Sendable {
        case inputTooLong = "input-too-long"
        case unterminatedComment = "unterminated-comment"
        case unterminatedQuotedString = "unterminated-quoted-string"
        case unterminatedDomainLiteral = "unterminated-domain-literal"
        case unterminatedAngleAddress = "unterminated-angle-address"
        case missingAt = "missing-at"
        case missingLocalPart = "missing-local-part"
        case missingDomain = "missing-domain"
        case emptyAngleAddress = "empty-angle-address"
        case misplacedDot = "misplaced-dot"
        case forbiddenCharacter = "forbidden-character"
        case unexpectedCharacter = "unexpected-character"
        case emptyListElement = "empty-list-element"
        case invalidRoute = "invalid-route"
    }

    public var code: Code {
        switch self {
        case .inputTooLong: .inputTooLong
        case .unterminatedComment: .unterminatedComment
        case .unterminatedQuotedString: .unterminatedQuotedString
        case .unterminatedDomainLiteral: .unterminatedDomainLiteral
        case .unterminatedAngleAddress: .unterminatedAngleAddress
        case .missingAt: .missingAt
        case .missingLocalPart: .missingLocalPart
        case .missingDomain: .missingDomain
        case .emptyAngleAddress: .emptyAngleAddress
        case .misplacedDot: .misplacedDot
        case .forbiddenCharacter: .forbiddenCharacter
        case .unexpectedCharacter: .unexpectedCharacter
        case .emptyListElement: .emptyListElement
        case .invalidRoute: .invalidRoute
        }
    }

    /// Where the field stopped being an address list, in UTF-8 bytes from
    /// the start of the value (for `.inputTooLong`, the limit).
    public var offset: Int {
        switch self {
        case .inputTooLong(_, let limit): limit
        case .unterminatedComment(let at), .unterminatedQuotedString(let at), .unterminatedDomainLiteral(let at),
             .unterminatedAngleAddress(let at), .missingAt(let at), .missingLocalPart(let at), .missingDomain(let at),
             .emptyAngleAddress(let at), .misplacedDot(let at), .forbiddenCharacter(_, let at),
             .unexpectedCharacter(_, let at), .emptyListElement(let at), .invalidRoute(let at): at
        }
    }

    /// The reason in words, for logs: "missing domain at byte 7".
    public var reason: String {
        switch self {
        case .inputTooLong(let length, let limit): "address field of \(length) bytes is over the limit of \(limit)"
        case .forbiddenCharacter(let byte, let at), .unexpectedCharacter(let byte, let at):
            "\(String(code.rawValue.map { $0 == "-" ? " " : $0 })) 0x\(String(byte, radix: 16, uppercase: true)) at byte \(at)"
        default: "\(String(code.rawValue.map { $0 == "-" ? " " : $0 })) at byte \(offset)"
        }
    }

    public var description: String { reason }
}
