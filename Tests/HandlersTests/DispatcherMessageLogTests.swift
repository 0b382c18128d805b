import Config
import Handlers
import MailAuth
import MessageLog
import Milter
import Testing

/// The per-message log lines at end of message: `extended_log`'s ARex line
/// (on unless turned off, as Perl's default_config has it) and
/// `legacy_log`'s `A-R:` line; what they record reads back to the header
/// that was added.
@Suite struct DispatcherMessageLogTests {
    static func harness(_ settings: DispatcherSettings, lines: Lines) -> Harness {
        let handler = ScriptedHandler()
        handler.onEndOfMessage = {
            $0.addAuthResult(AuthResultsEntry(method: "spf", result: "pass",
                                              properties: [AuthResultsProperty(key: "smtp.mailfrom", value: "a@example.org")]))
        }
        let harness = Harness(handlers: [handler], settings: settings)
        harness.session.logSink = { _, text in lines.all.append(text) }
        harness.openConnection()
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "i", value: "QID1")]))
        return harness
    }

    final class Lines { var all: [String] = [] }

    @Test func extendedLogRecordsTheAddedHeader() throws {
        let lines = Lines()
        let harness = Self.harness(.with { $0.extendedLog = true }, lines: lines)
        let replies = harness.sendMessage()
        guard case .insertHeader(_, let name, let value) = replies.first else {
            Issue.record("no header added: \(replies)")
            return
        }
        let arex = lines.all.filter { $0.hasPrefix("QID1: ARex: ") }
        #expect(arex.count == 1)
        let line = try ARexLine(logLine: try #require(arex.first))
        #expect(line.queueID == "QID1")
        #expect(line.headers.map(\.fieldName) == [name])
        #expect(line.headers.first?.header.value() == value)
        #expect(!lines.all.contains { $0.contains(": A-R: ") })
    }

    @Test func extendedLogOffWritesNoLine() {
        let lines = Lines()
        Self.harness(.with { $0.extendedLog = false }, lines: lines).sendMessage()
        #expect(!lines.all.contains { $0.contains("ARex") })
    }

    @Test func theConfigurationTurnsItOnUnlessSetTo0() {
        var configuration = Configuration(connection: .inet(port: 12345, host: "localhost"))
        #expect(DispatcherSettings(configuration).extendedLog)
        #expect(!DispatcherSettings(configuration).legacyLog)
        configuration.extendedLog = false
        configuration.legacyLog = true
        #expect(!DispatcherSettings(configuration).extendedLog)
        #expect(DispatcherSettings(configuration).legacyLog)
    }

    @Test func legacyLogWritesTheOneLineHeader() {
        let lines = Lines()
        Self.harness(.with { $0.legacyLog = true; $0.extendedLog = false }, lines: lines).sendMessage()
        #expect(lines.all.contains("QID1: A-R: Authentication-Results mx.example.net; spf=pass smtp.mailfrom=a@example.org"))
    }
}
