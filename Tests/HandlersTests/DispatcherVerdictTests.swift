import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// A handler's wish to reject, tempfail or quarantine the message, and the
/// reply it produces.
@Suite struct DispatcherVerdictTests {
    static func wishing(_ verdict: MailSession.Verdict, atRecipient recipient: String? = nil) -> ScriptedHandler {
        let handler = ScriptedHandler()
        if let recipient {
            handler.onEnvelopeRecipient = { session, address in
                if address == recipient { session.setVerdict(verdict) }
            }
        } else {
            handler.onEnvelopeFrom = { session, _ in session.setVerdict(verdict) }
        }
        return handler
    }

    @Test func rejectAtMailFromRepliesAtThatStage() {
        let harness = Harness(handlers: [Self.wishing(.reject("550 5.7.1 Sender refused"))])
        harness.openConnection()
        #expect(harness.send(.mailFrom(["<a@example.org>"])) == [.replyCode("550 5.7.1 Sender refused")])
    }

    @Test func tempfailAtMailFromRepliesAtThatStage() {
        let harness = Harness(handlers: [Self.wishing(.tempfail("451 4.7.1 Try again later"))])
        harness.openConnection()
        #expect(harness.send(.mailFrom(["<a@example.org>"])) == [.replyCode("451 4.7.1 Try again later")])
    }

    @Test func laterHandlersStillRunAfterAWish() {
        let after = ScriptedHandler()
        let harness = Harness(handlers: [Self.wishing(.reject("550 5.7.1 No")), after])
        harness.send(.mailFrom(["<a@example.org>"]))
        #expect(after.calls.last == "envfrom")
    }

    @Test func aNewMessageForgetsTheVerdict() {
        let handler = ScriptedHandler()
        var rejectNext = true
        handler.onEnvelopeFrom = { session, _ in
            if rejectNext { session.setVerdict(.reject("550 5.7.1 No")) }
            rejectNext = false
        }
        let harness = Harness(handlers: [handler])
        harness.openConnection()
        #expect(harness.send(.mailFrom(["<a@example.org>"])) == [.replyCode("550 5.7.1 No")])
        #expect(harness.send(.mailFrom(["<b@example.org>"])) == [.continue])
        #expect(harness.session.verdict == .none)
    }

    @Test func quarantineIsSentAtEndOfMessageWhenMilterQuarantine() {
        let harness = Harness(handlers: [Self.wishing(.quarantine("DMARC policy"))], settings: .with { $0.milterQuarantine = true })
        harness.openConnection()
        #expect(harness.send(.mailFrom(["<a@example.org>"])) == [.continue])
        #expect(harness.send(.rcptTo(["<b@example.net>"])) == [.continue])
        #expect(harness.send(.endOfMessage([])) == [
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net; none"),
            .quarantine(reason: "DMARC policy"),
            .continue,
        ])
    }

    @Test func noQuarantineActionWithoutMilterQuarantine() {
        let harness = Harness(handlers: [Self.wishing(.quarantine("DMARC policy"))])
        harness.openConnection()
        let replies = harness.sendMessage()
        #expect(!replies.contains(.quarantine(reason: "DMARC policy")))
        #expect(replies.last == .continue)
    }

    /// Without milter_quarantine the Perl program marks the message instead:
    /// add_headers prepends `X-Disposition-Quarantine: <reason>` whenever a
    /// quarantine reason is set (it lands above Authentication-Results).
    @Test func quarantineWithoutMilterQuarantineAddsTheDispositionHeader() {
        let harness = Harness(handlers: [Self.wishing(.quarantine("DMARC policy"))])
        harness.openConnection()
        let replies = harness.sendMessage()
        let added = replies.compactMap { reply -> String? in
            if case .insertHeader(_, let name, let value) = reply { return name + ": " + value }
            return nil
        }
        #expect(added.contains("X-Disposition-Quarantine: DMARC policy"), "\(replies)")
        #expect(applyHeaderChanges(replies, to: ["Received", "From"]) == [
            "Received", "X-Disposition-Quarantine", "Authentication-Results", "From",
        ])
    }

    @Test func dryrunSendsNoQuarantine() {
        let harness = Harness(handlers: [Self.wishing(.quarantine("DMARC policy"))],
                              settings: .with { $0.milterQuarantine = true; $0.dryrun = true })
        harness.openConnection()
        #expect(harness.sendMessage() == [.continue])
    }

    /// The Perl milter clears reject_mail once it has sent the reply
    /// (milter_process_command), so a reject for one recipient refuses
    /// that recipient only: the next RCPT and the message go on.
    @Test func rejectingOneRecipientDoesNotRejectTheNextOrTheMessage() throws {
        let harness = Harness(handlers: [Self.wishing(.reject("550 5.1.1 No such user"), atRecipient: "<bad@example.net>"),
                                         try AddIDHandler(config: .object(JSONObject()))])
        harness.openConnection()
        harness.send(.mailFrom(["<a@example.org>"]))
        #expect(harness.send(.rcptTo(["<bad@example.net>"])) == [.replyCode("550 5.1.1 No such user")])
        #expect(harness.send(.rcptTo(["<good@example.net>"])) == [.continue])
        #expect(harness.send(.header(name: "Subject", value: "x")) == [])
        #expect(harness.send(.endOfMessage([])).last == .continue)
    }

    /// The Perl milter checks reject_mail before the tempfail a handler
    /// error set (get_return, milter_process_command): a handler's reject
    /// is sent even when another handler of the stage failed.
    @Test func rejectOutranksAnErrorTempfail() {
        let thrower = ScriptedHandler()
        thrower.onEnvelopeFrom = { _, _ in throw ScriptedFailure() }
        let harness = Harness(handlers: [Self.wishing(.reject("550 5.7.1 Sender refused")), thrower],
                              settings: .with { $0.tempfailOnError = true })
        harness.openConnection()
        #expect(harness.send(.mailFrom(["<a@example.org>"])) == [.replyCode("550 5.7.1 Sender refused")])
    }

    /// The Perl program's reject_mail and defer_mail replace a reason that
    /// is not `5xx 5.x.x text` (`4xx 4.x.x text`) with its default,
    /// "550 5.0.0 Message rejected" ("450 4.0.0 Message deferred"), so a
    /// malformed text never reaches the MTA as an SMTP reply.
    @Test(arguments: [
        (MailSession.Verdict.reject("go away"), "550 5.0.0 Message rejected"),
        (MailSession.Verdict.reject("451 4.7.1 wrong class"), "550 5.0.0 Message rejected"),
        (MailSession.Verdict.tempfail("later please"), "450 4.0.0 Message deferred"),
        (MailSession.Verdict.tempfail("550 5.7.1 wrong class"), "450 4.0.0 Message deferred"),
    ])
    func malformedReplyTextIsReplacedByTheDefault(verdict: MailSession.Verdict, expected: String) {
        let harness = Harness(handlers: [Self.wishing(verdict)])
        harness.openConnection()
        #expect(harness.send(.mailFrom(["<a@example.org>"])) == [.replyCode(expected)])
    }
}
