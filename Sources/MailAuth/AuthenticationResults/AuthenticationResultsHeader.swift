/// The `Authentication-Results` header authentication_milter adds to a
/// message: the authserv-id and the method results of every handler.
///
/// How the Perl program builds it (`add_auth_headers_of_type`):
/// - entries are sorted first (see `AuthResultsEntry.sortKey`), then
///   rendered through Mail::AuthenticationResults with eol `"\n"`, the
///   configured `header_indent_style` (default `entry`), `header_indent_by`
///   (default 4) and, only when configured, `header_fold_at`;
/// - with no entries at all it writes `"<authserv-id>; none"` by plain
///   string concatenation, unless the global `hide_none` is set, in which
///   case no header is added;
/// - the value is inserted at the top of the message (header index 1).
public struct AuthenticationResultsHeader: Sendable, Equatable {
    /// The authserv-id as configured or found, unprocessed. Rendering cleans
    /// it like a value and quotes it when needed; the `none` header uses it
    /// as it is, as the Perl program does, but for control characters.
    public var authservID: String
    public var entries: [AuthResultsEntry]

    public init(authservID: String, entries: [AuthResultsEntry]) {
        self.authservID = authservID
        self.entries = entries
    }

    /// True when the header would carry no result: there are no entries.
    ///
    /// The global `hide_none` setting of authentication_milter means exactly
    /// this: it suppresses the `"<authserv-id>; none"` header written when no
    /// handler added an entry. It does not look at the results of entries
    /// that exist; a handler's own `hide_none` setting (SPF, DKIM, ...)
    /// works earlier, by not adding its entry when its result is `none`.
    /// So with `hide_none` the worker adds no header when `isNone`.
    public var isNone: Bool { entries.isEmpty }

    /// The header value as authentication_milter passes it to the MTA, i.e.
    /// what follows `Authentication-Results:`.
    ///
    /// Lines are separated by `eol` alone (`"\n"` by default, as the Perl
    /// program sends it in milter mode), with no trailing line break.
    ///
    /// - Parameters:
    ///   - style: `header_indent_style`.
    ///   - indentBy: `header_indent_by`; also the base indent of folded lines.
    ///   - foldAt: `header_fold_at`. Zero or less means not configured, which
    ///     leaves the Perl module's default try-fold length of 800 bytes in
    ///     force (Perl would fold at every space for an explicit 0; that
    ///     setting is treated as "not set" here).
    ///   - eol: the line break; `.crlf` for SMTP-mode output.
    public func value(style: AuthResultsIndentStyle = .entry, indentBy: Int = 4,
                      foldAt: Int = 0, eol: AuthResultsEOL = .lf) -> String {
        if isNone {
            // Perl writes the authserv-id as it is here; it may be the
            // `{rcpt_host}` macro, from RCPT TO, so its control characters
            // become spaces (the rest is kept as Perl writes it).
            return ControlCharacters.replacing(in: authservID, with: " ") + "; none"
        }
        let layout = AuthResultsLayout(style: style, indentBy: indentBy, eol: eol)
        var tokens = AuthResultsTokens()
        tokens.append(.string, AuthResultsText.stringify(AuthResultsText.safeValue(authservID)))
        tokens.append(.separator, ";")
        for (index, entry) in entries.enumerated() {
            if index > 0 { tokens.append(.separator, ";") }
            layout.prefix(.entry, depth: 1, into: &tokens)
            entry.build(into: &tokens, depth: 1, layout: layout)
        }
        let folder = AuthResultsFolder(
            eol: eol.rawValue, indent: layout.indentUnit,
            tryFoldAt: foldAt > 0 ? foldAt : AuthResultsFolder.defaultTryFoldAt)
        return folder.render(tokens.tokens)
    }
}
