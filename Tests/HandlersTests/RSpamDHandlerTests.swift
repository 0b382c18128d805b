import Handlers
import MailAuth
import Milter
import Config
import IPC
import JSON
import Testing
import TestSupport

/// A scripted rspamd for the handler's logic: answers `outcome`, keeps
/// what it was asked.
final class ScriptedRspamdScanning: RspamdScanning {
    let outcome: RspamdScanOutcome
    var asked: [(message: [UInt8], fields: RspamdRequestFields)] = []
    init(_ outcome: RspamdScanOutcome) { self.outcome = outcome }
    func scan(message: [UInt8], fields: RspamdRequestFields) -> RspamdScanOutcome {
        asked.append((message, fields))
        return outcome
    }
}

/// RSpamD (issue 13): Perl's X-Spam-Action/Status/score headers and
/// `x-rspam=` entry, the reject at rspamd's `reject` action with
/// `hard_reject`, the quarantine of spam, forged fields renamed, and no
/// verdict giving `x-rspam=temperror` with the mail going on.
@Suite struct RSpamDHandlerTests {
    struct Run {
        var replies: [MilterResponse]
        var asked: [(message: [UInt8], fields: RspamdRequestFields)]
        var log: [String]
    }

    static func run(config: String = #"{"default_user": "nobody", "hard_reject": 1}"#, outcome: RspamdScanOutcome?, address: String = "192.0.2.1",
                    headers: [(String, String)] = [("From", "Sender <sender@example.org>"), ("Subject", "Hello")]) throws -> Run {
        let handler = try RSpamDHandler(config: JSONParser.parse(config))
        let local = try LocalIPHandler(config: JSONParser.parse("{}"))
        let harness = Harness(handlers: [local, handler], settings: Harness.oneLine)
        var lines: [String] = []
        harness.session.logSink = { level, text in lines.append("\(level) \(text)") }
        let scanner = outcome.map(ScriptedRspamdScanning.init)
        harness.session.rspamdScanner = scanner
        harness.openConnection(address: address)
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "i", value: "QID")]))
        let replies = harness.sendMessage(headers: headers, body: "Hello\r\n")
        return Run(replies: replies, asked: scanner?.asked ?? [], log: lines)
    }

    static func added(_ action: String, _ status: String, _ score: String, _ entry: String) -> [MilterResponse] {
        [("X-Spam-score", score), ("X-Spam-Status", status), ("X-Spam-Action", action), ("Authentication-Results", "mx.example.net; " + entry)]
            .map { MilterResponse.insertHeader(index: 1, name: $0.0, value: $0.1) }
    }

    @Test func gtubeIsRejectedAtRspamdsRejectAction() throws {
        let run = try Self.run(outcome: .scanned(RspamdVerdict(action: "reject", score: 15, requiredScore: 15, isSkipped: true)))
        #expect(run.replies.last == .replyCode("550 5.7.0 SPAM policy violation"))
        #expect(run.log.contains("info QID: RSpamDReject: Policy reject"))
        #expect(run.log.contains("info QID: RSpamDUser: nobody"))
        // What rspamd was told besides the message.
        let fields = try #require(run.asked.first?.fields)
        #expect(fields.deliverTo == "nobody" && fields.ip == "192.0.2.1" && fields.queueID == "QID" && fields.user == "unauthorized")
        #expect(String(decoding: run.asked[0].message, as: UTF8.self) == "From: Sender <sender@example.org>\r\nSubject: Hello\r\n\r\nHello\r\n")
    }

    @Test func spamIsQuarantinedWithPerlsHeaders() throws {
        let run = try Self.run(outcome: .scanned(RspamdVerdict(action: "add header", score: 8, requiredScore: 15)))
        let expected = Self.added("add header", "Yes, score=8.00 required=15.00", "8.00", "x-rspam=fail score=8.00 required=15.00")
        #expect(Array(run.replies.filter { if case .insertHeader = $0 { return true } else { return false } }.prefix(4)) == expected)
        #expect(run.replies.contains(.insertHeader(index: 1, name: "X-Disposition-Quarantine", value: "Quarantined due to SPAM policy")))
        #expect(!run.replies.contains(.replyCode("550 5.7.0 SPAM policy violation")))
    }

    @Test func hamPassesAndLocalOrNoHardRejectIsNotRejected() throws {
        let ham = try Self.run(outcome: .scanned(RspamdVerdict(action: "no action", score: -0.1, requiredScore: 15)))
        #expect(ham.replies.contains(.insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net; x-rspam=pass score=-0.10 required=15.00")))
        #expect(ham.replies.contains(.insertHeader(index: 1, name: "X-Spam-Status", value: "No, score=-0.10 required=15.00")))
        #expect(!ham.replies.contains { if case .insertHeader(_, "X-Disposition-Quarantine", _) = $0 { return true } else { return false } })
        let reject = RspamdVerdict(action: "reject", score: 20, requiredScore: 15)
        for run in [try Self.run(outcome: .scanned(reject), address: "127.0.0.1"),
                    try Self.run(config: #"{"default_user": "nobody"}"#, outcome: .scanned(reject))] {
            #expect(!run.replies.contains(.replyCode("550 5.7.0 SPAM policy violation")))
            #expect(run.replies.contains(.insertHeader(index: 1, name: "X-Disposition-Quarantine", value: "Quarantined due to SPAM policy")))
        }
    }

    @Test func forgedFieldsAreRemovedAndNoted() throws {
        let run = try Self.run(outcome: .scanned(RspamdVerdict(action: "no action", score: 0, requiredScore: 15)),
                               headers: [("X-Spam-Action", "no action"), ("Subject", "Hi"), ("x-spam-action", "forged"), ("X-Spam-hits", "kept")])
        #expect(run.replies.contains(.changeHeader(index: 2, name: "x-spam-action", value: "")))
        #expect(run.replies.contains(.changeHeader(index: 1, name: "x-spam-action", value: "")))
        #expect(run.replies.contains(.addHeader(name: "X-Received-X-Spam-Action", value: "(Received X-Spam-Action header removed by mx.example.net)\n    forged")))
        #expect(!run.replies.contains { if case .changeHeader(_, "x-spam-hits", _) = $0 { return true } else { return false } })
    }

    @Test func noVerdictIsATemperrorAndTheMailGoesOn() throws {
        let down = try Self.run(outcome: .failed(.unreachable("connect to 127.0.0.1:11333: Connection refused")))
        #expect(down.replies.contains(.insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net; x-rspam=temperror")))
        #expect(down.replies.last == .continue || down.replies.last == .accept)
        #expect(down.log.contains("error QID: ERROR: RSpamD could not connect to server (rspamd unreachable: connect to 127.0.0.1:11333: Connection refused)"))
        let bad = try Self.run(outcome: .failed(.protocolError("bad data from server: no action")))
        #expect(bad.log.contains { $0.contains("ERROR: RSpamD bad data from server") })
        let none = try Self.run(outcome: nil)
        #expect(none.replies.contains(.insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net; x-rspam=temperror")))
    }

    @Test func theKeysAndTheirChecks() throws {
        let defaults = try RSpamDSettings(config: ConfigNode(value: JSONParser.parse(RSpamDHandler.defaultConfigJSON), origin: ConfigOrigin(file: "RSpamD.json")))
        #expect(defaults.defaultUser == "nobody" && defaults.host == "localhost" && defaults.port == 11333 && defaults.hardReject)
        #expect(defaults.scannerArguments == ["--rspamd-host", "localhost", "--rspamd-port", "11333", "--rspamd-timeout", "30.0"])
        let empty = try RSpamDSettings(config: ConfigNode(value: JSONParser.parse("{}"), origin: ConfigOrigin(file: "RSpamD.json")))
        #expect(!empty.hardReject && empty.defaultUser == nil && empty.maximumMessageBytes == 512_000)
        for bad in [#"{"rs_port": 70000}"#, #"{"rs_max_size": 10}"#, #"{"rs_timeout": 0}"#, #"{"hard_reject": "yes"}"#, #"{"rs_host": "a b"}"#] {
            #expect(throws: ConfigurationError.self, "\(bad)") {
                _ = try RSpamDSettings(config: ConfigNode(value: JSONParser.parse(bad), origin: ConfigOrigin(file: "RSpamD.json")))
            }
        }
    }
}
