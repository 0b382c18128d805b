/// Why a record, term or macro string was refused. Every syntax error is a
/// `permerror` (RFC 7208 section 4.6); the message is what the result text
/// and the `Received-SPF` comment say, in Mail::SPF's words.
public struct SPFSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What a program or a test matches (Mail::SPF's exception classes,
    /// roughly: each message below comes with one).
    public enum Code: String, Hashable, Sendable {
        case notSPF1 = "not-spf1"
        case unknownMechanism = "unknown-mechanism"
        case junk
        case duplicateModifier = "duplicate-modifier"
        case missingDomainSpec = "missing-domain-spec"
        case invalidTopLabel = "invalid-top-label"
        case missingAddress = "missing-address"
        case invalidPrefixLength = "invalid-prefix-length"
        case invalidMacro = "invalid-macro"
        case unknownMacro = "unknown-macro"
        /// A macro letter allowed only in an explanation (c, r, t).
        case illegalMacro = "illegal-macro"
    }

    public var code: Code
    public var message: String
    /// Where a macro string stopped being one (an invalid character or
    /// `%` expression), so the term parser can tell Mail::SPF's "junk after
    /// a valid domain-spec" from "no domain-spec at all"; nil otherwise.
    public var position: Int?

    public init(_ code: Code, _ message: String, position: Int? = nil) {
        self.code = code
        self.message = message
        self.position = position
    }

    public var description: String { message }

    /// The reason in words (the same as `message`).
    public var reason: String { message }
}
