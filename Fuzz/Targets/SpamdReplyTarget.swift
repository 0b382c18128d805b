@testable import MailAuth

/// spamd's replies as the scanner reads them (`SpamdReply`), and what the
/// SpamAssassin handler makes of a verdict: the entry's result follows the
/// flag, the status line ends with the printed numbers, and the folded
/// `X-Spam-hits` is the rule names again once its folds are taken out.
enum SpamdReplyTarget {
    static let target = FuzzTarget(name: "spamd-reply", run: run)

    static func run(_ input: [UInt8]) {
        guard input.count <= SpamdReply.maximumBytes else { return }
        let outcome = SpamdReply.parse(input)
        _ = SpamdReply.isComplete(input)
        guard case .scanned(let verdict) = outcome else { return }
        fuzzCheck(verdict.symbols.utf8.count <= input.count * 3, "rule names longer than the reply")
        let headers = SpamAssassinHeaders(verdict)
        fuzzCheck(headers.result == (verdict.isSpam ? "fail" : "pass"), "entry result \(headers.result) for flag \(verdict.flag)")
        fuzzCheck(headers.status.hasSuffix("score=\(headers.score) required=\(headers.required)"), "status \(headers.status)")
        guard !verdict.symbols.contains("\n") else { return }
        var parts = verdict.symbols.split(separator: ",", omittingEmptySubsequences: false)
        while let last = parts.last, last.isEmpty { parts.removeLast() }
        let unfolded = headers.hits.split(separator: "\n    ", omittingEmptySubsequences: false).joined()
        fuzzCheck(unfolded == parts.joined(separator: ","), "X-Spam-hits \(headers.hits) is not the rule names \(verdict.symbols)")
    }
}
