/// Why `MailboxListParser` refused an address field. Offsets count UTF-8
/// bytes from the start of the field value. Any of these means the field
/// names no address at all: a checker must not guess one (a guessed
/// domain is one an attacker chose).
public enum AddressListParseError: Error, Hashable, Sendable {
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
}
