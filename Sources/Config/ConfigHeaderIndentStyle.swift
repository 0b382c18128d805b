/// `header_indent_style`: how the Authentication-Results header is folded,
/// as named by Mail::AuthenticationResults.
public enum HeaderIndentStyle: String, Sendable, CaseIterable {
    /// No folding.
    case none
    /// Fold before each entry (the default).
    case entry
    /// Fold before each entry and sub-entry.
    case subentry
    /// Fold before every item.
    case full
}
