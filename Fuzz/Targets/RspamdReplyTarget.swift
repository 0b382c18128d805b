@testable import MailAuth

/// rspamd's HTTP replies as the scanner reads them (`RspamdReply`, with its
/// shallow JSON reader), and what the RSpamD handler makes of a verdict:
/// the entry's result follows the action, the status line ends with the
/// printed numbers, and no header value carries a control character.
enum RspamdReplyTarget {
    static let target = FuzzTarget(name: "rspamd-reply", run: run)

    static func run(_ input: [UInt8]) {
        guard input.count <= RspamdReply.maximumBytes else { return }
        _ = RspamdReply.isComplete(input)
        _ = try? ShallowJSONObject(parsing: input)
        guard case .scanned(let verdict) = RspamdReply.parse(input) else { return }
        let headers = RspamdHeaders(verdict)
        fuzzCheck(headers.result == (verdict.action == "no action" ? "pass" : "fail"), "entry result \(headers.result) for action \(verdict.action)")
        fuzzCheck(headers.status.hasSuffix("score=\(headers.score) required=\(headers.required)"), "status \(headers.status)")
        for value in [headers.action, headers.status, headers.score, headers.required] {
            fuzzCheck(!ControlCharacters.contains(value), "control character in \(value.debugDescription)")
        }
    }
}
