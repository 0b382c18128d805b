import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// Several messages on one connection, aborts, QUIT and QUIT_NC: message
/// state goes with each message, connection state with the connection.
@Suite struct DispatcherConnectionLifecycleTests {
    /// A handler that records the envelope sender as an entry at MAIL FROM.
    static func senderRecorder() -> ScriptedHandler {
        let handler = ScriptedHandler()
        handler.onEnvelopeFrom = { session, address in
            session.addAuthResult(AuthResultsEntry(method: "x-sender", result: "pass", properties: [
                AuthResultsProperty(key: "smtp.mailfrom", value: address)]))
            session.prependHeader(name: "X-Pre", value: address)
            session.appendHeader(name: "X-Post", value: address)
        }
        return handler
    }

    @Test func abortForgetsTheMessageButKeepsTheConnection() {
        let handler = Self.senderRecorder()
        let harness = Harness(handlers: [handler])
        harness.openConnection(helo: "helo.example.org")
        harness.send(.mailFrom(["<first@example.org>"]))
        harness.send(.rcptTo(["<rcpt@example.net>"]))
        #expect(harness.session.authResults.count == 1)
        #expect(harness.send(.abort).isEmpty)
        #expect(handler.calls.last == "abort")
        #expect(harness.session.authResults.isEmpty)
        #expect(harness.session.prependedHeaders.isEmpty)
        #expect(harness.session.appendedHeaders.isEmpty)
        #expect(harness.session.envelopeFrom == "")
        #expect(harness.session.envelopeRecipients.isEmpty)
        #expect(harness.session.macro("j") == "mx.example.net")
        #expect(harness.session.heloHost == "helo.example.org")
        #expect(harness.session.remoteIP == "192.0.2.1")
        #expect(!harness.dispatcher.finished)

        let replies = harness.sendMessage(from: "<second@example.org>")
        #expect(replies == [
            .insertHeader(index: 1, name: "X-Pre", value: "<second@example.org>"),
            .insertHeader(index: 1, name: "Authentication-Results",
                          value: "mx.example.net;\n    x-sender=pass smtp.mailfrom=<second@example.org>"),
            .addHeader(name: "X-Post", value: "<second@example.org>"),
            .continue,
        ])
    }

    @Test func secondMailFromWithoutAbortStartsAFreshMessage() {
        let handler = Self.senderRecorder()
        let harness = Harness(handlers: [handler])
        harness.openConnection()
        harness.send(.mailFrom(["<first@example.org>"]))
        harness.send(.rcptTo(["<one@example.net>"]))
        harness.send(.mailFrom(["<second@example.org>"]))
        #expect(harness.session.envelopeFrom == "<second@example.org>")
        #expect(harness.session.envelopeRecipients.isEmpty)
        #expect(harness.session.authResults.count == 1)
        #expect(handler.calls.suffix(3) == ["envrcpt", "abort", "envfrom"])
        harness.send(.rcptTo(["<two@example.net>"]))
        let replies = harness.send(.endOfMessage([]))
        #expect(replies.dropFirst().first == .insertHeader(index: 1, name: "Authentication-Results",
                                               value: "mx.example.net;\n    x-sender=pass smtp.mailfrom=<second@example.org>"))
    }

    @Test func messagesOnOneConnectionAreIndependent() throws {
        let recorder = Self.senderRecorder()
        let harness = Harness(handlers: [try AddIDHandler(config: .object(JSONObject())), recorder])
        harness.openConnection()
        let first = harness.sendMessage(from: "<one@example.org>")
        let second = harness.sendMessage(from: "<two@example.org>")
        #expect(first.dropFirst().first == .insertHeader(index: 1, name: "Authentication-Results",
                                             value: "mx.example.net;\n    x-sender=pass smtp.mailfrom=<one@example.org>"))
        #expect(second == [
            .insertHeader(index: 1, name: "X-Pre", value: "<two@example.org>"),
            .insertHeader(index: 1, name: "Authentication-Results",
                          value: "mx.example.net;\n    x-sender=pass smtp.mailfrom=<two@example.org>"),
            .addHeader(name: "X-Post", value: "<two@example.org>"),
            addIDReply,
            .continue,
        ])
        #expect(harness.session.messageCount == 2)
        #expect(harness.session.macro("j") == "mx.example.net")
        // End of message forgets the message straight away.
        #expect(harness.session.authResults.isEmpty)
        #expect(harness.session.envelopeFrom == "")
    }

    @Test func quitClosesAndFinishes() {
        let handler = ScriptedHandler()
        let harness = Harness(handlers: [handler])
        harness.openConnection()
        harness.send(.mailFrom(["<a@example.org>"]))
        #expect(harness.send(.quit).isEmpty)
        #expect(harness.dispatcher.finished)
        #expect(handler.calls.suffix(2) == ["abort", "close"])
        #expect(harness.session.macros.isEmpty)
        #expect(harness.session.envelopeFrom == "")
    }

    @Test func quitNewConnectionResetsConnectionStateWithoutFinishing() {
        let flags = ScriptedHandler()
        flags.onConnect = { session in
            session.isAuthenticated = true
            session.isLocalIP = true
            session.isTrustedIP = true
        }
        let harness = Harness(handlers: [flags])
        harness.openConnection(helo: "helo.example.org")
        harness.send(.mailFrom(["<a@example.org>"]))
        #expect(harness.session.isAuthenticated)
        #expect(harness.send(.quitNewConnection).isEmpty)
        #expect(!harness.dispatcher.finished)
        #expect(flags.calls.suffix(2) == ["abort", "close"])
        #expect(harness.session.macros.isEmpty)
        #expect(harness.session.macro("j") == nil)
        #expect(harness.session.heloHost == "")
        #expect(!harness.session.isAuthenticated)
        #expect(!harness.session.isLocalIP)
        #expect(!harness.session.isTrustedIP)
        #expect(harness.session.envelopeFrom == "")

        // The next SMTP session on the same milter connection works as new.
        flags.onConnect = nil
        harness.send(.defineMacros(forCommand: UInt8(ascii: "C"), macros: [MilterMacro(name: "j", value: "other.example.net")]))
        #expect(harness.send(.connect(hostname: "b.example.org", family: .inet6, port: 25, address: "2001:db8::1")) == [.continue])
        #expect(harness.session.remoteIP == "2001:db8::1")
        #expect(harness.send(.helo("b.example.org")) == [.continue])
        #expect(harness.sendMessage().first == .insertHeader(index: 1, name: "Authentication-Results", value: "other.example.net; none"))
    }

    /// `messageCount` is documented as the messages seen on this connection.
    @Test func quitNewConnectionRestartsTheMessageCount() {
        let harness = Harness(handlers: [])
        harness.openConnection()
        harness.sendMessage()
        #expect(harness.session.messageCount == 1)
        harness.send(.quitNewConnection)
        harness.openConnection()
        #expect(harness.session.messageCount == 0)
    }

    /// The Perl program's top_helo_callback takes only the first HELO of a
    /// connection ("Multiple HELO callbacks detected and ignored"): a client
    /// that says EHLO again after STARTTLS is not re-evaluated.
    @Test func onlyTheFirstHeloOfAConnectionIsUsed() {
        let handler = ScriptedHandler()
        var helos: [String] = []
        handler.onHelo = { _, host in helos.append(host) }
        let harness = Harness(handlers: [handler])
        harness.openConnection(helo: "first.example.org")
        #expect(harness.send(.helo("second.example.org")) == [.continue])
        #expect(helos == ["first.example.org"])
        #expect(harness.session.heloHost == "first.example.org")
    }
}
