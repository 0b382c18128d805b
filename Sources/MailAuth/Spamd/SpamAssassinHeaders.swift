/// The header values and the Authentication-Results entry the Perl
/// SpamAssassin handler writes from spamd's verdict
/// (authentication_milter_extra, `Handler/SpamAssassin.pm`):
///
///     X-Spam-score: 1003.30
///     X-Spam-Status: Yes, score=1003.30 required=5.00
///     X-Spam-hits: GTUBE,MISSING_DATE,MISSING_MID,NO_RECEIVED,NO_RELAYS
///     Authentication-Results: ...; x-spam=fail score=1003.30 required=5.00
public struct SpamAssassinHeaders: Sendable, Equatable {
    public var score: String
    public var status: String
    public var hits: String
    /// `pass` or `fail`, the entry's result.
    public var result: String
    public var required: String

    /// The longest line of `X-Spam-hits` before it is folded.
    public static let hitsLineLength = 74

    public init(_ verdict: SpamdVerdict) {
        score = PerlNumber.twoDecimals(verdict.score)
        required = PerlNumber.twoDecimals(verdict.threshold)
        status = (verdict.isSpam ? "Yes, " : "No, ") + "score=\(score) required=\(required)"
        hits = Self.wrapHits(verdict.symbols)
        result = verdict.isSpam ? "fail" : "pass"
    }

    /// The rule names, folded as Perl folds them: split at commas (each
    /// part keeps its comma, the last has none), and a new line (newline
    /// and four spaces) begins before a part that would take the line past
    /// 74 characters. Perl also starts a line when the very first part is
    /// longer than that, which leaves an empty first line; here a line is
    /// only begun after something. Perl's `split` drops empty parts at the
    /// end (`A,B,,` is `A,` `B`), so does this.
    public static func wrapHits(_ symbols: String) -> String {
        var parts = symbols.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        while let last = parts.last, last.isEmpty { parts.removeLast() }
        guard !parts.isEmpty else { return "" }
        for index in parts.indices.dropLast() { parts[index] += "," }
        var folded = ""
        var line = ""
        for part in parts {
            if !line.isEmpty && line.count + part.count > hitsLineLength {
                folded += line + "\n    "
                line = ""
            }
            line += part
        }
        return folded + line
    }
}
