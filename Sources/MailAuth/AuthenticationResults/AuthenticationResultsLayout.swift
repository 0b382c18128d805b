/// The layout settings one rendering uses: which parts start new lines, how
/// far each level is indented, and the line break.
struct AuthResultsLayout: Sendable {
    var style: AuthResultsIndentStyle
    var indentBy: Int
    var eol: AuthResultsEOL

    /// Everything on one line with single spaces: how a part renders on its
    /// own, outside a header (the Perl module's standalone `as_string`).
    static let flat = AuthResultsLayout(style: .none, indentBy: 4, eol: .lf)

    /// The spaces one indent level adds; Perl's `' ' x $n` gives nothing for
    /// a negative count.
    var indentUnit: String { String(repeating: " ", count: max(0, indentBy)) }

    /// What goes before a part: a line break and `indentBy * depth` spaces
    /// when the style starts this kind on a new line, otherwise one space.
    func prefix(_ kind: AuthResultsPartKind, depth: Int, into tokens: inout AuthResultsTokens) {
        if style.startsNewLine(kind) {
            tokens.append(.space, eol.rawValue)
            tokens.append(.space, String(repeating: " ", count: max(0, indentBy) * depth))
        } else {
            tokens.append(.space, " ")
        }
    }
}
