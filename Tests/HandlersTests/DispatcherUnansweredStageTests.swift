import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// The content stages (DATA, unknown, headers, end of headers, body) are
/// negotiated without replies when the MTA offers it (issue 12: one round
/// trip for a message's content, not one per header). A reject or tempfail
/// found there is held and sent at end of message, where the MTA reports
/// it to the SMTP client in any case; the rest of that message reaches no
/// handler.
@Suite struct DispatcherUnansweredStageTests {
    static let postfixOffer = MilterCommand.optionNegotiation(version: 6, actions: .all, steps: .all)

    @Test func contentStagesAreNegotiatedWithoutReplies() {
        let harness = Harness(handlers: [ScriptedHandler()])
        let reply = harness.send(Self.postfixOffer)
        guard case .optionNegotiation(_, _, let steps) = reply.first else {
            Issue.record("no negotiation reply: \(reply)")
            return
        }
        #expect(steps.isSuperset(of: MilterDispatcher.unansweredCommands))
        // The scripted handler may refuse before DATA (as Blocker does).
        #expect(steps.intersection([.noReplyToConnect, .noReplyToHelo, .noReplyToMailFrom, .noReplyToRcptTo]).isEmpty)
        #expect(harness.dispatcher.negotiatedSteps == steps)
    }

    @Test func onlyTheCommandsBeforeContentAndEndOfMessageAreAnswered() throws {
        let harness = Harness(handlers: [ScriptedHandler(), try AddIDHandler(config: .object(JSONObject()))])
        harness.openConnection()
        #expect(harness.send(.mailFrom(["<a@example.org>"])) == [.continue])
        #expect(harness.send(.rcptTo(["<b@example.net>"])) == [.continue])
        #expect(harness.send(.data) == [])
        #expect(harness.send(.header(name: "Subject", value: "x")) == [])
        #expect(harness.send(.endOfHeaders) == [])
        #expect(harness.send(.body(Array("x\r\n".utf8))) == [])
        #expect(harness.send(.endOfMessage([])).suffix(2) == [addIDReply, .continue])
    }

    @Test func aHeaderErrorIsHeldUntilEndOfMessageAndTheRestSkipped() {
        let thrower = ScriptedHandler()
        var headersSeen = 0
        thrower.onHeader = { _, _, _ in
            headersSeen += 1
            throw ScriptedFailure()
        }
        let harness = Harness(handlers: [thrower], settings: .with { $0.tempfailOnError = true })
        harness.openConnection()
        harness.send(.mailFrom(["<a@example.org>"]))
        harness.send(.rcptTo(["<b@example.net>"]))
        #expect(harness.send(.header(name: "Subject", value: "x")) == [])
        #expect(harness.send(.header(name: "To", value: "b@example.net")) == [])
        #expect(harness.send(.endOfHeaders) == [])
        #expect(harness.send(.endOfMessage([])) == [.tempfail])
        #expect(headersSeen == 1)
        #expect(!thrower.calls.contains("eoh"))
        #expect(!thrower.calls.contains("eom"))
        // The next message starts clean.
        thrower.onHeader = nil
        #expect(harness.sendMessage().last == .continue)
    }

    @Test func anAbortDropsTheHeldReply() {
        let thrower = ScriptedHandler()
        thrower.onBody = { _, _ in throw ScriptedFailure() }
        let harness = Harness(handlers: [thrower], settings: .with { $0.tempfailOnError = true })
        harness.openConnection()
        harness.send(.mailFrom(["<a@example.org>"]))
        harness.send(.rcptTo(["<b@example.net>"]))
        #expect(harness.send(.body(Array("x".utf8))) == [])
        harness.send(.abort)
        thrower.onBody = nil
        #expect(harness.sendMessage().last == .continue)
    }

    /// An MTA that offers no reply bits (Sendmail 8.13, version 2) gets a
    /// reply to every command, and an error at a header at once.
    @Test func anMTAWithoutReplyBitsIsAnsweredAtEveryStage() {
        let thrower = ScriptedHandler()
        thrower.onHeader = { _, _, _ in throw ScriptedFailure() }
        let harness = Harness(handlers: [thrower], settings: .with { $0.tempfailOnError = true })
        harness.send(.optionNegotiation(version: 2, actions: MilterActions(rawValue: 0x3F), steps: MilterProtocolSteps(rawValue: 0x7F)))
        harness.send(.mailFrom(["<a@example.org>"]))
        #expect(harness.send(.data) == [.continue])
        #expect(harness.send(.header(name: "Subject", value: "x")) == [.tempfail])
    }
}
