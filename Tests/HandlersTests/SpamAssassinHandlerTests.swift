import Config
import Handlers
import IPC
import JSON
import MailAuth
import Milter
import SystemIO
import TestSupport
import Testing

/// SpamAssassin (issue 13): the message rebuilt for spamd, Perl's X-Spam
/// headers and `x-spam=` entry, the quarantine and the hard reject, forged
/// X-Spam fields renamed, and spamd down or silent giving `x-spam=temperror`
/// with the mail going on. spamd is a scripted one on a loopback socket,
/// reached directly (`DirectSpamdScanner`); in a worker the same bytes go
/// through the scanner process.
@Suite struct SpamAssassinHandlerTests {
    static let gtube = ScriptedSpamd.symbolsReply(flag: "True", score: "1003.3",
                                                  symbols: "GTUBE,MISSING_DATE,MISSING_MID,NO_RECEIVED,NO_RELAYS")
    static let lowSpam = ScriptedSpamd.symbolsReply(flag: "True", score: "6.2", symbols: "BAYES_99,URIBL_BLOCKED")
    static let ham = ScriptedSpamd.symbolsReply(flag: "False", score: "-0.0", symbols: "MSGID_SHORT,NO_RECEIVED,NO_RELAYS")

    struct Run {
        var replies: [MilterResponse]
        var requests: [[UInt8]]
        var log: [String]
    }

    /// One message from a client at `address` through the handler (with
    /// LocalIP and TrustedIP, which it reads), spamd answering `answer`.
    static func run(config: String = #"{"default_user": "nobody", "hard_reject_at": 10}"#, answer: ScriptedSpamd.Answer?, address: String = "192.0.2.1",
                    trusted: [String] = [], timeout: Double = 5,
                    headers: [(String, String)] = [("From", "Sender <sender@example.org>"), ("Subject", "Hello")],
                    body: String = "Hello\r\n") throws -> Run {
        let handler = try SpamAssassinHandler(config: JSONParser.parse(config))
        let local = try LocalIPHandler(config: JSONParser.parse("{}"))
        let trustedHandler = try TrustedIPHandler(config: JSONParser.parse(#"{"trusted_ip_list": [\#(trusted.map { "\"\($0)\"" }.joined(separator: ","))]}"#))
        let harness = Harness(handlers: [local, handler, trustedHandler], settings: Harness.oneLine)
        var lines: [String] = []
        harness.session.logSink = { level, text in lines.append("\(level) \(text)") }
        var spamd: ScriptedSpamd?
        if let answer {
            spamd = try ScriptedSpamd { _ in answer }
            harness.session.spamScanner = DirectSpamdScanner(address: .inet([127, 0, 0, 1], port: spamd!.port), timeoutSeconds: timeout)
        } else {
            // Nobody listens on that port.
            harness.session.spamScanner = DirectSpamdScanner(address: .inet([127, 0, 0, 1], port: try Loopback.freePort()), timeoutSeconds: timeout)
        }
        defer { spamd?.stop() }
        harness.openConnection(address: address)
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "i", value: "QID")]))
        let replies = harness.sendMessage(headers: headers, body: body)
        return Run(replies: replies, requests: spamd?.requests ?? [], log: lines)
    }

    /// What the end of the message adds for a verdict, in the dispatcher's
    /// order: the three X-Spam fields, then the Authentication-Results.
    static func headers(_ score: String, _ status: String, _ hits: String, _ entry: String) -> [MilterResponse] {
        [("X-Spam-score", score), ("X-Spam-Status", status), ("X-Spam-hits", hits), ("Authentication-Results", "mx.example.net; " + entry)]
            .map { MilterResponse.insertHeader(index: 1, name: $0.0, value: $0.1) }
    }

    static let hamHeaders = headers("0.00", "No, score=0.00 required=5.00", "MSGID_SHORT,NO_RECEIVED,NO_RELAYS", "x-spam=pass score=0.00 required=5.00")

    @Test func gtubeIsRejectedAtHardRejectAt() throws {
        let run = try Self.run(answer: .reply(Self.gtube))
        #expect(run.replies == [.replyCode("550 5.7.0 SPAM policy violation")])
        // What spamd got: Perl's request, the message rebuilt from the callbacks.
        let message = "From: Sender <sender@example.org>\r\nSubject: Hello\r\n\r\nHello\r\n"
        #expect(run.requests.map { String(decoding: $0, as: UTF8.self) }
            == ["SYMBOLS SPAMC/1.5\r\nContent-length: \(message.utf8.count + 2)\r\nUser: nobody\r\n\r\n\(message)\r\n"])
        #expect(run.log.contains("info QID: SpamAssassinUser: nobody"))
        #expect(run.log.contains("info QID: SpamAssassinReject: Policy reject"))
    }

    @Test func spamBelowTheLimitIsQuarantinedWithPerlsHeaders() throws {
        let run = try Self.run(answer: .reply(Self.lowSpam))
        #expect(run.replies == Self.headers("6.20", "Yes, score=6.20 required=5.00", "BAYES_99,URIBL_BLOCKED", "x-spam=fail score=6.20 required=5.00")
            + [.insertHeader(index: 1, name: "X-Disposition-Quarantine", value: "Quarantined due to SPAM policy"), .continue])
    }

    @Test func hamPassesWithTheHeadersAndTheEntry() throws {
        let run = try Self.run(answer: .reply(Self.ham))
        #expect(run.replies == Self.hamHeaders + [.continue])
    }

    @Test func localAndTrustedClientsAreNotRejected() throws {
        let local = try Self.run(answer: .reply(Self.gtube), address: "10.0.0.5")
        #expect(!local.replies.contains(.replyCode("550 5.7.0 SPAM policy violation")))
        #expect(local.replies.contains(.insertHeader(index: 1, name: "X-Disposition-Quarantine", value: "Quarantined due to SPAM policy")))
        let trusted = try Self.run(answer: .reply(Self.gtube), trusted: ["192.0.2.1"])
        #expect(trusted.replies.last == .continue)
        #expect(authResultsEntries(trusted.replies).contains("x-spam=fail score=1003.30 required=5.00"))
    }

    @Test func withoutHardRejectAtSpamIsOnlyQuarantined() throws {
        // Perl reads the block as written: no key, no reject.
        let run = try Self.run(config: "{}", answer: .reply(Self.gtube))
        #expect(run.replies.last == .continue)
        #expect(run.replies.contains(.insertHeader(index: 1, name: "X-Disposition-Quarantine", value: "Quarantined due to SPAM policy")))
        // No default_user: no User: line, as Mail::SpamAssassin::Client.
        #expect(run.requests.first.map { String(decoding: $0, as: UTF8.self).contains("User:") } == false)
        #expect(run.log.contains("info QID: SpamAssassinUser: --"))
    }

    static let forged: [(String, String)] = [
        ("From", "Sender <sender@example.org>"),
        ("X-Spam-Status", "No, score=-500.00 required=5.00"),
        ("x-spam-score", "-500.00"),
        ("Subject", "Hello"),
        ("X-SPAM-STATUS", " No, again"),
    ]

    @Test func forgedSpamHeadersAreRemovedAndNoted() throws {
        let run = try Self.run(answer: .reply(Self.ham), headers: Self.forged)
        #expect(run.replies == [
            .changeHeader(index: 1, name: "x-spam-score", value: ""),
            .changeHeader(index: 2, name: "x-spam-status", value: ""),
            .changeHeader(index: 1, name: "x-spam-status", value: ""),
        ] + Self.hamHeaders + [
            .addHeader(name: "X-Received-X-Spam-Status", value: "(Received X-Spam-Status header removed by mx.example.net)\n    No, score=-500.00 required=5.00"),
            .addHeader(name: "X-Received-X-Spam-score", value: "(Received X-Spam-score header removed by mx.example.net)\n    -500.00"),
            .addHeader(name: "X-Received-X-Spam-Status", value: "(Received X-Spam-Status header removed by mx.example.net)\n    No, again"),
            .continue,
        ])
        // spamd saw them as they came (leading white space dropped, as Perl).
        let request = String(decoding: try #require(run.requests.first), as: UTF8.self)
        #expect(request.contains("\r\nX-Spam-Status: No, score=-500.00 required=5.00\r\nx-spam-score: -500.00\r\nSubject: Hello\r\nX-SPAM-STATUS: No, again\r\n\r\n"))
    }

    @Test func silentRemovesWithoutNotesAndNoKeepsThem() throws {
        let silent = try Self.run(config: #"{"remove_headers": "silent"}"#, answer: .reply(Self.ham), headers: Self.forged)
        #expect(changedFieldNames(silent.replies) == ["x-spam-score", "x-spam-status", "x-spam-status",
                                                      "X-Spam-score", "X-Spam-Status", "X-Spam-hits", "Authentication-Results"])
        let kept = try Self.run(config: #"{"remove_headers": "no"}"#, answer: .reply(Self.ham), headers: Self.forged)
        #expect(changedFieldNames(kept.replies) == ["X-Spam-score", "X-Spam-Status", "X-Spam-hits", "Authentication-Results"])
        let trusted = try Self.run(answer: .reply(Self.ham), trusted: ["192.0.2.1"], headers: Self.forged)
        #expect(changedFieldNames(trusted.replies) == ["X-Spam-score", "X-Spam-Status", "X-Spam-hits", "Authentication-Results"])
    }

    @Test func spamdDownIsATemperrorAndTheMailGoesOn() throws {
        let run = try Self.run(answer: nil, headers: Self.forged)
        #expect(run.replies.last == .continue)
        #expect(authResultsEntries(run.replies) == ["x-spam=temperror"])
        #expect(!changedFieldNames(run.replies).contains("X-Spam-score"))
        // The forged fields go all the same (Perl leaves them, after noting their removal).
        #expect(changedFieldNames(run.replies).filter { $0.hasPrefix("x-spam") } == ["x-spam-score", "x-spam-status", "x-spam-status"])
        #expect(run.log.contains { $0.hasPrefix("error QID: ERROR: SpamAssassin could not connect to server (spamd unreachable: connect to 127.0.0.1:") })
    }

    @Test func aSilentSpamdEndsAtSaTimeout() throws {
        let started = monotonicSeconds()
        let run = try Self.run(answer: .silence, timeout: 0.5)
        #expect(monotonicSeconds() - started < 3)
        #expect(run.replies.last == .continue)
        #expect(authResultsEntries(run.replies) == ["x-spam=temperror"])
        #expect(run.log.contains { $0.hasPrefix("error QID: ERROR: SpamAssassin scan failed (spamd timed out: waiting for the reply") })
    }

    @Test func anErrorReplyIsATemperror() throws {
        let run = try Self.run(answer: .reply(Array("SPAMD/1.0 76 Bad header line: x\r\n".utf8)))
        #expect(authResultsEntries(run.replies) == ["x-spam=temperror"])
        #expect(run.log.contains("error QID: ERROR: SpamAssassin scan failed (spamd refused the request: 76 Bad header line: x)"))
    }

    @Test func withoutAScannerEveryScanIsATemperror() throws {
        let handler = try SpamAssassinHandler(config: JSONParser.parse("{}"))
        let harness = Harness(handlers: [handler], settings: Harness.oneLine)
        harness.openConnection()
        let replies = harness.sendMessage()
        #expect(authResultsEntries(replies) == ["x-spam=temperror"])
        #expect(replies.last == .continue)
    }

    @Test func aLargeMessageIsCutAtSaMaxSize() throws {
        let body = String(repeating: "0123456789abcdefghijklmnopqrstuvwxyz01234567890123456789abcdefghijklmnopq\r\n", count: 40)
        let run = try Self.run(config: #"{"sa_max_size": 1024}"#, answer: .reply(Self.ham), body: body)
        let request = try #require(run.requests.first)
        let text = String(decoding: request, as: UTF8.self)
        let message = text[text.range(of: "\r\n\r\n")!.upperBound...]
        // At most the limit, whole lines, then the closing CRLF.
        #expect(message.utf8.count <= 1024 + 2)
        #expect(message.hasSuffix("\r\n\r\n") && message.utf8.count > 900)
        #expect(run.log.contains { $0.hasPrefix("info QID: SpamAssassin: message of 3053 bytes: spamd is given its first 953 (sa_max_size 1024)") }, "\(run.log)")
    }

    @Test func hitsAreFoldedAsPerlFoldsThem() throws {
        let symbols = (1...12).map { "RULE_NUMBER_\($0)" }.joined(separator: ",")
        let run = try Self.run(answer: .reply(ScriptedSpamd.symbolsReply(flag: "False", score: "1.0", symbols: symbols)))
        #expect(run.replies.contains(.insertHeader(index: 1, name: "X-Spam-hits", value:
            "RULE_NUMBER_1,RULE_NUMBER_2,RULE_NUMBER_3,RULE_NUMBER_4,RULE_NUMBER_5,\n    RULE_NUMBER_6,RULE_NUMBER_7,RULE_NUMBER_8,RULE_NUMBER_9,RULE_NUMBER_10,\n    RULE_NUMBER_11,RULE_NUMBER_12")))
    }

    @Test func theKeysAndTheirChecks() throws {
        let defaults = try SpamAssassinSettings(config: ConfigNode(value: JSONParser.parse(SpamAssassinHandler.defaultConfigJSON),
                                                                  origin: ConfigOrigin(file: "SpamAssassin.json")))
        #expect(defaults.defaultUser == "nobody" && defaults.host == "localhost" && defaults.port == 783)
        #expect(defaults.hardRejectAt == 10 && defaults.removeHeaders == .yes)
        #expect(defaults.timeoutSeconds == 30 && defaults.maximumMessageBytes == 512_000)
        #expect(defaults.scannerArguments == ["--spamd-host", "localhost", "--spamd-port", "783", "--timeout", "30.0"])
        let socket = try SpamAssassinSettings(config: ConfigNode(value: JSONParser.parse(#"{"sa_socket": "/run/spamd.sock", "sa_port": 0, "hard_reject_at": "0"}"#),
                                                                origin: ConfigOrigin(file: "SpamAssassin.json")))
        #expect(socket.scannerArguments == ["--spamd-socket", "/run/spamd.sock", "--timeout", "30.0"])
        #expect(socket.port == 783 && socket.hardRejectAt == nil && socket.defaultUser == nil)
        for bad in [#"{"default_user": "a b"}"#, #"{"sa_port": 70000}"#, #"{"sa_socket": "relative.sock"}"#,
                    #"{"sa_max_size": 10}"#, #"{"sa_timeout": 0}"#, #"{"remove_headers": false}"#] {
            #expect(throws: ConfigurationError.self, "\(bad)") {
                _ = try SpamAssassinSettings(config: ConfigNode(value: JSONParser.parse(bad), origin: ConfigOrigin(file: "SpamAssassin.json")))
            }
        }
    }
}
