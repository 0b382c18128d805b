import Handlers
import Milter
import Testing

/// Macros (`D`) reach the session under their unbraced names, and the
/// authserv-id is chosen from them as the Perl program's
/// get_my_authserv_id does: authserv_id, then `j`, then `{rcpt_host}`,
/// then the host name.
@Suite struct DispatcherMacroTests {
    @Test func macrosWithAndWithoutBracesAreStoredUnbraced() {
        let harness = Harness(handlers: [])
        harness.send(.defineMacros(forCommand: UInt8(ascii: "C"), macros: [
            MilterMacro(name: "j", value: "mx.example.net"),
            MilterMacro(name: "{daemon_name}", value: "smtpd"),
        ]))
        #expect(harness.session.macros == ["j": "mx.example.net", "daemon_name": "smtpd"])
        #expect(harness.session.macro("j") == "mx.example.net")
        #expect(harness.session.macro("{j}") == "mx.example.net")
        #expect(harness.session.macro("daemon_name") == "smtpd")
        #expect(harness.session.macro("{daemon_name}") == "smtpd")
        #expect(harness.session.macro("i") == nil)
    }

    @Test func bracedJFeedsTheSameMacro() {
        let harness = Harness(handlers: [])
        harness.send(.defineMacros(forCommand: UInt8(ascii: "C"), macros: [MilterMacro(name: "{j}", value: "braced.example.net")]))
        #expect(harness.session.macro("j") == "braced.example.net")
    }

    @Test func macroDefinitionsGetNoReply() {
        let harness = Harness(handlers: [])
        #expect(harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [])).isEmpty)
    }

    @Test func laterDefinitionReplacesEarlierValue() {
        let harness = Harness(handlers: [])
        harness.send(.defineMacros(forCommand: UInt8(ascii: "C"), macros: [MilterMacro(name: "i", value: "QUEUE1")]))
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "{i}", value: "QUEUE2")]))
        #expect(harness.session.macro("i") == "QUEUE2")
    }

    @Test func jMacroIsTheAuthservID() {
        let harness = Harness(handlers: [])
        harness.openConnection(j: "mx.example.net")
        #expect(harness.sendMessage() == [
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net; none"), .continue,
        ])
    }

    @Test func configuredAuthservIDWinsOverJ() {
        let harness = Harness(handlers: [], settings: .with { $0.authservID = "auth.example.com" })
        harness.openConnection(j: "mx.example.net")
        #expect(harness.sendMessage() == [
            .insertHeader(index: 1, name: "Authentication-Results", value: "auth.example.com; none"), .continue,
        ])
    }

    @Test func rcptHostMacroIsTheFallbackAfterJ() {
        let harness = Harness(handlers: [], settings: .with { $0.hostname = "host.example.com" })
        harness.openConnection(j: nil)
        harness.send(.defineMacros(forCommand: UInt8(ascii: "R"), macros: [MilterMacro(name: "{rcpt_host}", value: "rcpt.example.net")]))
        #expect(harness.sendMessage().first == .insertHeader(index: 1, name: "Authentication-Results", value: "rcpt.example.net; none"))
    }

    @Test func hostnameIsTheLastFallback() {
        let harness = Harness(handlers: [], settings: .with { $0.hostname = "host.example.com" })
        harness.openConnection(j: nil)
        #expect(harness.sendMessage().first == .insertHeader(index: 1, name: "Authentication-Results", value: "host.example.com; none"))
    }

    @Test func jOfZeroIsSkippedLikePerlFalse() {
        let harness = Harness(handlers: [], settings: .with { $0.hostname = "host.example.com" })
        harness.openConnection(j: "0")
        #expect(harness.sendMessage().first == .insertHeader(index: 1, name: "Authentication-Results", value: "host.example.com; none"))
    }
}
