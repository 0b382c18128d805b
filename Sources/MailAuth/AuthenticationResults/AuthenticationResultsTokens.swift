/// One piece of a header value on its way to the folder. The kinds match the
/// Perl module's FoldableHeader tokens; only `space` matters to folding (a run
/// of spaces is where a line may break), but the kinds are kept so the
/// folder's "is there real content here" test sees what Perl sees.
struct AuthResultsToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case string, space, separator, comment, assignment
    }

    var kind: Kind
    var text: String
    /// Set on line breaks the folder itself inserted, so that the indent of
    /// such a continuation line is not taken as the indent for later folds.
    var folded = false

    var length: Int { AuthResultsText.byteLength(text) }
}

/// The token list a header, entry or property writes itself into.
struct AuthResultsTokens: Sendable {
    private(set) var tokens: [AuthResultsToken] = []

    mutating func append(_ kind: AuthResultsToken.Kind, _ text: String) {
        tokens.append(AuthResultsToken(kind: kind, text: text))
    }

    /// Writes `key=value` by the module's rules (`build_string`) and reports
    /// whether anything was written. A key that Perl finds false (`""` or
    /// `"0"`) writes nothing at all, children included. The value is quoted
    /// when needed; `"0"` stays bare; an empty value becomes `""`, except for
    /// the bare word `none`.
    mutating func keyValue(key: String, value: String) -> Bool {
        guard AuthResultsText.isPerlTrue(key) else { return false }
        append(.string, AuthResultsText.stringify(key))
        if AuthResultsText.isPerlTrue(value) {
            append(.assignment, "=")
            append(.string, AuthResultsText.stringify(value))
        } else if value == "0" {
            append(.assignment, "=")
            append(.string, "0")
        } else if key != "none" {
            append(.assignment, "=")
            append(.string, "\"\"")
        }
        return true
    }
}
