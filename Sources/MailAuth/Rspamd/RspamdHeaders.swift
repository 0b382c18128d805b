/// The RSpamD handler's values from rspamd's verdict, as Perl's handler
/// writes them (`sprintf('%.02f', ...)`):
///
///     X-Spam-Action: reject                          (prepended last, so on top)
///     X-Spam-Status: Yes, score=15.00 required=15.00
///     X-Spam-score: 15.00
///
/// and the entry `x-rspam=fail score=15.00 required=15.00` (`pass` and
/// `No, ` for ham). With `rewrite subject` the action reads
/// `rewrite subject - <the new subject>`, its control characters replaced.
public struct RspamdHeaders: Sendable, Equatable {
    public var score: String
    public var required: String
    public var status: String
    public var action: String
    public var result: String

    /// The longest subject quoted in `X-Spam-Action`.
    static let maximumSubjectBytes = 900

    public init(_ verdict: RspamdVerdict) {
        score = PerlNumber.twoDecimals(verdict.score)
        required = PerlNumber.twoDecimals(verdict.requiredScore)
        status = (verdict.isSpam ? "Yes, " : "No, ") + "score=\(score) required=\(required)"
        var action = ControlCharacters.replacing(in: verdict.action.prefix(64), with: " ")
        if verdict.action == "rewrite subject" {
            let subject = String(decoding: (verdict.subject ?? "").utf8.prefix(Self.maximumSubjectBytes), as: UTF8.self)
            action += " - " + ControlCharacters.replacing(in: subject, with: " ")
        }
        self.action = action
        result = verdict.isSpam ? "fail" : "pass"
    }
}
