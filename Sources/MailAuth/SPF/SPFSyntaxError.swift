/// Why a record, term or macro string was refused. Every syntax error is a
/// `permerror` (RFC 7208 section 4.6); the message is what the result text
/// and the `Received-SPF` comment say, in Mail::SPF's words.
public struct SPFSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// Where a macro string stopped being one (an invalid character or
    /// `%` expression), so the term parser can tell Mail::SPF's "junk after
    /// a valid domain-spec" from "no domain-spec at all"; nil otherwise.
    public var position: Int?

    public init(_ message: String, position: Int? = nil) {
        self.message = message
        self.position = position
    }

    public var description: String { message }
}
