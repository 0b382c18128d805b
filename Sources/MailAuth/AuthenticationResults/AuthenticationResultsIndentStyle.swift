/// How an `Authentication-Results` value is laid out over lines, as the
/// `header_indent_style` setting of authentication_milter chooses (the Perl
/// program defaults to `entry`).
///
/// - `none`: everything on one line (long lines may still fold, see
///   `AuthenticationResultsHeader.value(style:indentBy:foldAt:eol:)`).
/// - `entry`: each method result starts a new line, indented once.
/// - `subentry`: as `entry`, and each property starts a new line, indented twice.
/// - `full`: as `subentry`, and each comment starts a new line, indented one
///   level deeper than the part it belongs to.
public enum AuthResultsIndentStyle: String, Sendable, CaseIterable {
    case none, entry, subentry, full

    /// The kinds of part that start on a new line in this style; mirrors the
    /// per-class `indent_on` switches that `set_indent_style` flips.
    func startsNewLine(_ kind: AuthResultsPartKind) -> Bool {
        switch (self, kind) {
        case (_, .version): return false
        case (.none, _): return false
        case (.entry, .entry): return true
        case (.entry, _): return false
        case (.subentry, .comment): return false
        case (.subentry, _): return true
        case (.full, _): return true
        }
    }
}

/// The parts of a header that can be indented, by the depth rules of the Perl
/// module (an entry is at depth 1, its properties and comments at depth 2, a
/// property's comment at depth 3).
enum AuthResultsPartKind: Sendable {
    case entry, property, comment, version
}
