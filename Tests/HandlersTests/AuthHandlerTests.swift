import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// Auth: `auth=pass` (message-level) when `{auth_authen}` is set at MAIL
/// FROM; the connection counts as authenticated from then on.
@Suite struct AuthHandlerTests {
    static func handler() throws -> AuthHandler { try AuthHandler(config: JSONParser.parse(AuthHandler.defaultConfigJSON)) }

    static func session(authen: String?) -> MailSession {
        let session = MailSession(resolver: InMemoryDNSResolver())
        if let authen { session.macros["auth_authen"] = authen }
        return session
    }

    @Test func defaultConfigIsEmpty() throws {
        _ = try Self.handler()
        #expect(AuthHandler.configKeys.isEmpty)
        #expect(AuthHandler.dependencyNames.isEmpty)
        _ = try AuthHandler(config: .object(JSONObject()))
    }

    @Test func authenticatedSenderGetsAuthPass() throws {
        let session = Self.session(authen: "alice@example.org")
        let handler = try Self.handler()
        try handler.connect(session)
        #expect(!session.isAuthenticated)
        try handler.envelopeFrom(session, address: "<alice@example.org>")
        #expect(session.isAuthenticated)
        // As in Perl: no property, the login name stays out of the header.
        #expect(session.authResults.map(\.sortKey) == ["auth=pass"])
        #expect(session.authResults == [AuthResultsEntry(method: "auth", result: "pass")])
        #expect(session.connectionAuthResults.isEmpty)
    }

    /// Perl tests the macro for truth: absent, empty and "0" are not set.
    @Test(arguments: [nil, "", "0"] as [String?])
    func unauthenticatedSenderGetsNothing(authen: String?) throws {
        let session = Self.session(authen: authen)
        let handler = try Self.handler()
        try handler.connect(session)
        try handler.envelopeFrom(session, address: "<bob@example.org>")
        #expect(!session.isAuthenticated)
        #expect(session.authResults.isEmpty)
    }

    @Test func bracedMacroNameFromTheMTA() throws {
        let harness = Harness(handlers: [try Self.handler()])
        harness.openConnection()
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "{auth_authen}", value: "alice")]))
        #expect(harness.sendMessage() == [
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net;\n    auth=pass"), .continue,
        ])
        #expect(harness.session.isAuthenticated)
        // Like Perl, the state holds for the rest of the connection, and
        // the entry is written for every message sent with the macro.
        #expect(harness.sendMessage() == [
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net;\n    auth=pass"), .continue,
        ])
        harness.send(.quitNewConnection)
        #expect(!harness.session.isAuthenticated)
    }

    @Test func connectAndCloseReset() throws {
        let session = Self.session(authen: "alice")
        let handler = try Self.handler()
        try handler.envelopeFrom(session, address: "<alice@example.org>")
        #expect(session.isAuthenticated)
        handler.close(session)
        #expect(!session.isAuthenticated)
        session.isAuthenticated = true
        try handler.connect(session)
        #expect(!session.isAuthenticated)
    }

    /// Perl's Auth empties the connection's and the message's results when
    /// the sender authenticated (iprev, ptr and the like say nothing about a
    /// submission). Needs MailSession.clearAuthResults (docs/handlers.md).
    @Test
    func authenticationDropsEarlierResults() throws {
        let harness = Harness(handlers: [try Self.handler(), try LocalIPHandler(config: .object(JSONObject()))])
        harness.send(.optionNegotiation(version: 6, actions: .all, steps: .all))
        harness.send(.defineMacros(forCommand: UInt8(ascii: "C"), macros: [MilterMacro(name: "j", value: "mx.example.net")]))
        harness.send(.connect(hostname: "laptop.lan", family: .inet, port: 40000, address: "10.1.2.3"))
        harness.send(.helo("laptop.lan"))
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "{auth_authen}", value: "alice")]))
        #expect(harness.sendMessage() == [
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net;\n    auth=pass"), .continue,
        ])
    }
}
