import Handlers
import MailAuth
import Milter
import Config
import IPC
import JSON
import Testing
import TestSupport

/// A scripted clamd for the handler's logic.
final class ScriptedClamdScanning: ClamdScanning {
    let outcome: ClamdScanOutcome
    var asked: [[UInt8]] = []
    init(_ outcome: ClamdScanOutcome) { self.outcome = outcome }
    func scan(message: [UInt8]) -> ClamdScanOutcome {
        asked.append(message)
        return outcome
    }
}

/// ClamAV (issue 13): `x-virus=pass`, `fail (<name>)` with Perl's reject,
/// `temperror` without a verdict (the mail goes on) or for a message too
/// large to scan whole, and the socket keys Perl documents and reads.
@Suite struct ClamAVHandlerTests {
    static func run(config: String = #"{"hard_reject": 1, "ca_host": "127.0.0.1"}"#, outcome: ClamdScanOutcome?, address: String = "192.0.2.1",
                    body: String = "Hello\r\n") throws -> (replies: [MilterResponse], asked: [[UInt8]], log: [String]) {
        let handler = try ClamAVHandler(config: JSONParser.parse(config))
        let local = try LocalIPHandler(config: JSONParser.parse("{}"))
        let harness = Harness(handlers: [local, handler], settings: Harness.oneLine)
        var lines: [String] = []
        harness.session.logSink = { level, text in lines.append("\(level) \(text)") }
        let scanner = outcome.map(ScriptedClamdScanning.init)
        harness.session.clamdScanner = scanner
        harness.openConnection(address: address)
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "i", value: "QID")]))
        let replies = harness.sendMessage(headers: [("Subject", "Hello")], body: body)
        return (replies, scanner?.asked ?? [], lines)
    }

    static func entry(_ text: String) -> MilterResponse {
        .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net; " + text)
    }

    @Test func aVirusIsRejectedWithPerlsReply() throws {
        let run = try Self.run(outcome: .scanned(.infected("Eicar-Signature")))
        #expect(run.replies.last == .replyCode("550 5.7.0 Virus policy violation"))
        #expect(run.log.contains("info QID: ClamAV: Virus Found: Eicar-Signature"))
        #expect(run.log.contains("info QID: ClamAVReject: Policy reject"))
        #expect(run.asked == [Array("Subject: Hello\r\n\r\nHello\r\n".utf8)])
        let local = try Self.run(outcome: .scanned(.infected("Eicar-Signature")), address: "127.0.0.1")
        #expect(local.replies.contains(Self.entry("x-local-ip=pass; x-virus=fail (Eicar-Signature)")))
        #expect(!local.replies.contains(.replyCode("550 5.7.0 Virus policy violation")))
        let noReject = try Self.run(config: "{}", outcome: .scanned(.infected("Eicar-Signature")))
        #expect(noReject.replies.contains(Self.entry("x-virus=fail (Eicar-Signature)")))
        #expect(!noReject.replies.contains(.replyCode("550 5.7.0 Virus policy violation")))
    }

    @Test func cleanPassesAndNoVerdictIsATemperror() throws {
        #expect(try Self.run(outcome: .scanned(.clean)).replies.contains(Self.entry("x-virus=pass")))
        let down = try Self.run(outcome: .failed(.unreachable("connect to 127.0.0.1:3310: Connection refused")))
        #expect(down.replies.contains(Self.entry("x-virus=temperror")))
        #expect(down.log.contains("error QID: ERROR: ClamAVError: Scanner Ping Failed (clamd unreachable: connect to 127.0.0.1:3310: Connection refused)"))
        let refused = try Self.run(outcome: .failed(.refused("INSTREAM size limit exceeded. ERROR")))
        #expect(refused.log.contains { $0.contains("ClamAVError: scan failed (clamd refused the request: INSTREAM size limit exceeded. ERROR)") })
        #expect(try Self.run(outcome: nil).replies.contains(Self.entry("x-virus=temperror")))
    }

    @Test func aMessageLargerThanCaMaxSizeIsNotAPass() throws {
        let body = String(repeating: "line of text\r\n", count: 200)
        let run = try Self.run(config: #"{"ca_max_size": 1024}"#, outcome: .scanned(.clean), body: body)
        #expect(run.replies.contains(Self.entry("x-virus=temperror")))
        #expect(run.asked.first.map { $0.count <= 1024 } == true)
        #expect(run.log.contains { $0.contains("ClamAV: message of") && $0.contains("the rest not scanned") })
        let infected = try Self.run(config: #"{"ca_max_size": 1024}"#, outcome: .scanned(.infected("X")), body: body)
        #expect(infected.replies.contains(Self.entry("x-virus=fail (X)")))
    }

    @Test func theSocketKeys() throws {
        func settings(_ json: String) throws -> ClamAVSettings {
            try ClamAVSettings(config: ConfigNode(value: JSONParser.parse(json), origin: ConfigOrigin(file: "ClamAV.json")))
        }
        let defaults = try settings(ClamAVHandler.defaultConfigJSON)
        #expect(defaults.socketPath == "/var/run/clamav/clamd.ctl" && defaults.hardReject)
        #expect(defaults.maximumMessageBytes == ClamAVSettings.defaultMessageBytes)
        #expect(defaults.scannerArguments == ["--clamd-socket", "/var/run/clamav/clamd.ctl", "--clamd-timeout", "30.0"])
        // Perl's tests run with an empty block: ClamAV::Client's default socket.
        #expect(try settings("{}").socketPath == "/var/run/clamav/clamd.ctl")
        #expect(try settings("{}").hardReject == false)
        let tcp = try settings(#"{"ca_host": "127.0.0.1", "ca_port": "3311"}"#)
        #expect(tcp.scannerArguments == ["--clamd-host", "127.0.0.1", "--clamd-port", "3311", "--clamd-timeout", "30.0"])
        // The keys Perl's code reads win over the documented ones.
        let perls = try settings(#"{"ca_name": "/run/a.ctl", "socket_host": "::1", "socket_port": 3312}"#)
        #expect(perls.socketPath == "/run/a.ctl" && perls.host == "::1" && perls.port == 3312)
        #expect(try settings(#"{"ca_name": "/run/a.ctl", "socket_name": "/run/b.ctl"}"#).socketPath == "/run/b.ctl")
        for bad in [#"{"ca_name": "relative"}"#, #"{"ca_port": 70000}"#, #"{"ca_max_size": 26214401}"#, #"{"ca_timeout": 0}"#] {
            #expect(throws: ConfigurationError.self, "\(bad)") { _ = try settings(bad) }
        }
    }
}
