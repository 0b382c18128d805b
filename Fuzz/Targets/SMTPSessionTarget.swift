@testable import SMTP

/// SMTP mode's command side: hostile bytes as command lines (cut by the
/// line buffer with its limit, checked, parsed) driven through the state
/// machine, accepting every MAIL and RCPT the handlers would see; and the
/// same bytes as downstream replies, which must decode alike in pieces and
/// whole and re-encode to what they decode from.
enum SMTPSessionTarget {
    static let target = FuzzTarget(name: "smtp-session", run: run)

    static func run(_ input: [UInt8]) {
        var lines = SMTPLineBuffer(limit: 512)
        lines.append(input)
        var state = SMTPServerState(settings: SMTPServerSettings(serverName: "fuzz.example", acceptsUpstreamIdent: true,
                                                                 pipelineLimit: 3, maximumMessageBytes: 1000))
        var steps = 0
        while steps < 1000 {
            let line: ArraySlice<UInt8>?
            do { line = try lines.nextLine() } catch { break }
            guard let line else { break }
            steps += 1
            guard let text = SMTPCommandLine.text(line) else { continue }
            fuzzCheck(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" }, "a control character passed the check")
            switch state.step(for: SMTPCommand(line: text)) {
            case .checkMail(let path, _):
                fuzzCheck(!state.inTransaction, "MAIL inside a transaction")
                state.mailAccepted(argument: path)
            case .checkRecipient(let path, _):
                fuzzCheck(state.inTransaction, "RCPT outside a transaction")
                state.recipientAccepted(path)
            case .receiveMessage:
                fuzzCheck(state.inTransaction && !state.recipients.isEmpty, "DATA without MAIL and RCPT")
                state.transactionFinished()
            case .endTransaction, .endTransactionAndClose:
                fuzzCheck(!state.inTransaction, "a reset kept the transaction")
            case .reply, .close:
                break
            }
            fuzzCheck(state.transactionCount <= 3, "past the pipeline limit")
        }
        var whole = SMTPReplyDecoder()
        whole.append(input)
        var replies: [SMTPReply] = []
        while let reply = try? whole.nextReply() { replies.append(reply) }
        for reply in replies {
            var again = SMTPReplyDecoder()
            again.append(reply.encoded)
            let back = try? again.nextReply()
            fuzzCheck(back == reply, "reply round trip \(reply) -> \(String(describing: back))")
        }
    }
}
