/// A comment, rendered as `(text)`, attached to an entry or to a property.
///
/// The text is cleaned as the Perl module's `Comment->safe_set_value` does
/// (authentication_milter builds every comment that way): tabs, line
/// breaks and (not in Perl) every other control character become spaces, properly nested parentheses are kept, and when the
/// parentheses do not balance every one of them becomes a space; the ends are
/// trimmed. Nothing else is escaped.
public struct AuthResultsComment: Sendable, Equatable {
    /// The cleaned text, without the surrounding parentheses.
    public let text: String

    public init(_ text: String) {
        self.text = AuthResultsText.safeComment(text)
    }

    /// The comment as it appears in the header.
    public var rendered: String { "(" + text + ")" }
}
