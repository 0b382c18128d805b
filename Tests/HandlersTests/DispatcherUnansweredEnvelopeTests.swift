import Config
import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// Connect, HELO, MAIL and RCPT go without replies while no enabled
/// handler may refuse there (issue 12: a clean message costs two round
/// trips, not six). A handler error's tempfail found there is held and
/// given at end of message: for the message (MAIL, RCPT), or for every
/// message of the connection (connect, HELO), as the MTA would have
/// refused them after a tempfail at connect.
@Suite struct DispatcherUnansweredEnvelopeTests {
    /// A handler that refuses nothing before DATA and fails at the
    /// stages the test names.
    final class FailingHandler: Handler {
        static let name = "Failing"
        static let defaultConfigJSON = "{}"
        static let helpText = "test handler"
        var failAt: Set<String> = []
        private(set) var calls: [String] = []
        init(config: ConfigNode) throws(ConfigurationError) {}
        init(failAt: Set<String>) { self.failAt = failAt }
        func step(_ stage: String) throws {
            calls.append(stage)
            if failAt.contains(stage) { throw ScriptedFailure() }
        }
        func connect(_ session: MailSession) throws { try step("connect") }
        func helo(_ session: MailSession, host: String) throws { try step("helo") }
        func envelopeFrom(_ session: MailSession, address: String) throws { try step("envfrom") }
        func envelopeRecipient(_ session: MailSession, address: String) throws { try step("envrcpt") }
        func endOfMessage(_ session: MailSession) throws { try step("eom") }
    }

    static let envelopeBits: MilterProtocolSteps = [.noReplyToConnect, .noReplyToHelo, .noReplyToMailFrom, .noReplyToRcptTo]

    static func negotiatedSteps(_ handlers: [any Handler]) -> MilterProtocolSteps? {
        let harness = Harness(handlers: handlers)
        guard case .optionNegotiation(_, _, let steps)? = harness.send(.optionNegotiation(version: 6, actions: .all, steps: .all)).first
        else { return nil }
        return steps
    }

    @Test func askedOnlyWhileNoHandlerRefusesBeforeData() throws {
        let addID = try AddIDHandler(config: .object(JSONObject()))
        #expect(Self.negotiatedSteps([addID])?.isSuperset(of: Self.envelopeBits) == true)
        #expect(Self.negotiatedSteps([FailingHandler(failAt: [])])?.isSuperset(of: Self.envelopeBits) == true)
        let blocker = try BlockerHandler(config: .object(JSONObject([("blocker_configs", .array([]))])))
        #expect(Self.negotiatedSteps([addID, blocker])?.intersection(Self.envelopeBits).isEmpty == true)
        // An MTA that does not offer the bits is answered at every stage.
        let harness = Harness(handlers: [addID])
        _ = harness.send(.optionNegotiation(version: 6, actions: .all, steps: .skip))
        #expect(harness.send(.connect(hostname: "h", family: .inet, port: 1, address: "192.0.2.1")) == [.continue])
    }

    @Test func aMailFromErrorDefersThatMessageAtItsEnd() {
        let handler = FailingHandler(failAt: ["envfrom"])
        let harness = Harness(handlers: [handler], settings: .with { $0.tempfailOnError = true })
        harness.openConnection()
        #expect(harness.send(.mailFrom(["<a@example.org>"])) == [])
        #expect(harness.send(.rcptTo(["<b@example.net>"])) == [])
        #expect(harness.send(.header(name: "Subject", value: "x")) == [])
        #expect(harness.send(.endOfMessage([])) == [.tempfail])
        #expect(!handler.calls.contains("eom"))
        // The next message starts clean.
        handler.failAt = []
        #expect(harness.sendMessage().last == .continue)
        #expect(handler.calls.last == "eom")
    }

    @Test func aConnectErrorDefersEveryMessageOfTheConnection() {
        let handler = FailingHandler(failAt: ["connect"])
        let harness = Harness(handlers: [handler], settings: .with { $0.tempfailOnError = true })
        harness.openConnection()
        handler.failAt = []
        for _ in 0..<2 {
            #expect(harness.send(.mailFrom(["<a@example.org>"])) == [])
            #expect(harness.send(.rcptTo(["<b@example.net>"])) == [])
            #expect(harness.send(.endOfHeaders) == [])
            #expect(harness.send(.endOfMessage([])) == [.tempfail])
        }
        // No handler saw the refused connection's messages.
        #expect(handler.calls == ["connect"])
        // A new connection on the same socket starts clean.
        harness.send(.quitNewConnection)
        harness.openConnection()
        #expect(harness.sendMessage().last == .continue)
        #expect(handler.calls.last == "eom")
    }

    @Test func withoutTempfailOnErrorNothingIsHeld() {
        let handler = FailingHandler(failAt: ["connect", "envfrom"])
        let harness = Harness(handlers: [handler], settings: .with { $0.tempfailOnError = false })
        harness.openConnection()
        #expect(harness.sendMessage().last == .continue)
        #expect(handler.calls.last == "eom")
    }
}
