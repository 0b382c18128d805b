import Config
import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// Logger (issue 13): Perl's `Logger.pm` lines, `<queue id>: Logger: ...`
/// at info, for the stages its keys turn on.
@Suite struct LoggerHandlerTests {
    final class Lines { var all: [String] = [] }

    /// A connection through the dispatcher with a Logger of `config`; the
    /// log lines it wrote, with their level.
    static func run(_ config: String, queueID: String? = "4Qb1cD2eF3",
                    headers: [(String, String)] = [("From", "Alice <alice@example.org>"), ("To", "bob@example.net"),
                                                  ("Message-ID", "<1@example.org>"), ("Subject", "Hello")],
                    close: Bool = false) throws -> [String] {
        let logger = try LoggerHandler(config: JSONParser.parse(config))
        let harness = Harness(handlers: [logger], settings: Harness.oneLine)
        let lines = Lines()
        harness.session.logSink = { level, text in lines.all.append("\(level.rawValue) \(text)") }
        harness.openConnection(address: "192.0.2.1")
        if let queueID {
            harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "i", value: queueID)]))
        }
        harness.sendMessage(from: "<alice@example.org>", to: "<bob@example.net>", headers: headers)
        if close { harness.send(.quit) }
        return lines.all
    }

    @Test func everyStageAsPerlWritesIt() throws {
        let lines = try Self.run(#"{"connect": 1, "helo": 1, "envfrom": 1, "envrcpt": 1, "header": ["From", "message-id"]}"#)
        #expect(lines == [
            "info 4Qb1cD2eF3: Logger: Connection host: mail.example.org",
            "info 4Qb1cD2eF3: Logger: Connection IP: 192.0.2.1",
            "info 4Qb1cD2eF3: Logger: HELO: mail.example.org",
            "info 4Qb1cD2eF3: Logger: MAIL FROM: <alice@example.org>",
            "info 4Qb1cD2eF3: Logger: RCPT TO: <bob@example.net>",
            "info 4Qb1cD2eF3: Logger: Header: From: Alice <alice@example.org>",
            "info 4Qb1cD2eF3: Logger: Header: Message-ID: <1@example.org>",
        ])
    }

    @Test func theDefaultConfigurationLogsThreeHeaders() throws {
        let lines = try Self.run(LoggerHandler.defaultConfigJSON)
        #expect(lines == [
            "info 4Qb1cD2eF3: Logger: Header: From: Alice <alice@example.org>",
            "info 4Qb1cD2eF3: Logger: Header: To: bob@example.net",
            "info 4Qb1cD2eF3: Logger: Header: Message-ID: <1@example.org>",
        ])
    }

    @Test(arguments: ["{}", #"{"header": []}"#, #"{"header": null, "connect": 0}"#])
    func aBlockWithoutHeadersLogsNothing(_ config: String) throws {
        #expect(try Self.run(config).isEmpty)
    }

    @Test func headerNamesAndValuesAsPerlSeesThem() throws {
        // Any case matches; the value loses its leading white space.
        let lines = try Self.run(#"{"header": ["SUBJECT"]}"#, headers: [("subject", "\n  folded right after the colon")])
        #expect(lines == ["info 4Qb1cD2eF3: Logger: Header: subject: folded right after the colon"])
    }

    @Test func theAddressIsTheRemappedOneInItsShortForm() throws {
        let logger = try LoggerHandler(config: JSONParser.parse(#"{"connect": 1}"#))
        let network = try #require(IPMapNetwork("192.0.2.0/24"))
        let settings = DispatcherSettings.with {
            $0.authservID = "mx.example.net"
            $0.remap = ConnectionRemap([IPMapEntry(key: "192.0.2.0/24", network: network, target: IPMapTarget(ip: "2001:0DB8:0:0:0:0:0:25"))])
        }
        let harness = Harness(handlers: [logger], settings: settings)
        let lines = Lines()
        harness.session.logSink = { level, text in lines.all.append(text) }
        harness.openConnection(address: "192.0.2.9")
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "i", value: "Q6")]))
        harness.sendMessage()
        #expect(lines.all == ["Q6: Logger: Connection host: mail.example.org", "Q6: Logger: Connection IP: 2001:db8::25"])
    }

    @Test func withoutAQueueIDWaitingLinesAreWrittenAtTheEndOfTheHeaders() throws {
        // Perl's dbgoutwrite after the end-of-headers stage: `--` for the
        // missing queue id.
        let lines = try Self.run(#"{"helo": 1, "envfrom": 1, "header": ["Subject"]}"#, queueID: nil)
        #expect(lines == ["info --: Logger: HELO: mail.example.org", "info --: Logger: MAIL FROM: <alice@example.org>",
                          "info --: Logger: Header: Subject: Hello"])
    }

    @Test func aConnectionWithoutAMessageWritesItsLinesWhenItEnds() throws {
        let logger = try LoggerHandler(config: JSONParser.parse(#"{"connect": 1}"#))
        let harness = Harness(handlers: [logger], settings: Harness.oneLine)
        let lines = Lines()
        harness.session.logSink = { _, text in lines.all.append(text) }
        harness.openConnection(address: "192.0.2.1")
        #expect(lines.all.isEmpty)
        harness.send(.quit)
        #expect(lines.all == ["--: Logger: Connection host: mail.example.org", "--: Logger: Connection IP: 192.0.2.1"])
    }

    @Test func keysAreChecked() throws {
        #expect(throws: ConfigurationError.self) { try LoggerHandler(config: JSONParser.parse(#"{"header": "From"}"#)) }
        #expect(throws: ConfigurationError.self) { try LoggerHandler(config: JSONParser.parse(#"{"connect": "yes"}"#)) }
        #expect(LoggerHandler.configKeys == ["connect", "helo", "envfrom", "envrcpt", "header"])
    }
}
