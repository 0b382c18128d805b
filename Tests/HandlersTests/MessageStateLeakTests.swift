import Handlers
import IPC
import JSON
import MailAuth
import Milter
import TestSupport
import Testing

/// How the first of two messages on one connection ends.
enum MessageEnding: CaseIterable, Sendable, CustomStringConvertible {
    /// End of message, with replies.
    case endOfMessage
    /// Aborted (RSET) after its body, before the end of the message.
    case abort
    var description: String { self == .endOfMessage ? "end of message" : "abort" }
}

extension Harness {
    /// Settings whose Authentication-Results is one line from mx.example.net.
    static let oneLine = DispatcherSettings.with {
        $0.authservID = "mx.example.net"
        $0.indentStyle = .none
    }

    /// One message from MAIL FROM on, ended as `ending` says; the replies to
    /// the end of the message (none after an abort).
    @discardableResult
    func sendMessage(ending: MessageEnding, from: String = "<sender@example.org>", to: String = "<rcpt@example.net>",
                     headers: [(String, String)], body: String = "Hello\r\n") -> [MilterResponse] {
        guard ending == .abort else { return sendMessage(from: from, to: to, headers: headers, body: body) }
        send(.mailFrom([from]))
        send(.rcptTo([to]))
        send(.data)
        for (name, value) in headers { send(.header(name: name, value: value)) }
        send(.endOfHeaders)
        send(.body(Array(body.utf8)))
        send(.abort)
        return []
    }

    /// Authenticates the client for the next MAIL FROM (the Auth handler
    /// reads the macro there).
    func authenticateNextMessage() {
        send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "{auth_authen}", value: "user")]))
    }
}

/// The one-line Authentication-Results entries of end-of-message replies.
func authResultsEntries(_ replies: [MilterResponse]) -> [String] {
    for reply in replies {
        if case .insertHeader(_, "Authentication-Results", let value) = reply { return ARCHandlerTestSupport.entries(value) }
    }
    return []
}

/// The names of the header fields the replies add or change.
func changedFieldNames(_ replies: [MilterResponse]) -> [String] {
    replies.compactMap { reply in
        switch reply {
        case .insertHeader(_, let name, _), .addHeader(let name, _), .changeHeader(_, let name, _): return name
        default: return nil
        }
    }
}

/// Handlers are built once and reused: what they find in one message must
/// not reach the next one on the same connection, whether the first ended
/// or was aborted. Each test sends a message with findings, then one
/// without, and checks that the second sees nothing of the first.
@Suite struct MessageStateLeakTests {
    /// AbusixDataFeed: the second message's record has its own sender
    /// domain, never the first one's.
    @Test(arguments: MessageEnding.allCases) func abusixDataFeed(_ ending: MessageEnding) throws {
        let feed = try AbusixDataFeedHandler(config: ["feed_dest": "192.0.2.9"])
        let harness = Harness(handlers: [feed], settings: Harness.oneLine)
        var domains: [String] = []
        harness.session.abusixRecordSink = { domains.append($0.mailFromDomain) }
        harness.openConnection()
        harness.sendMessage(ending: ending, from: "<a@first.example>", headers: [("Subject", "one")])
        harness.send(.mailFrom(["<>"]))
        harness.send(.rcptTo(["<rcpt@example.net>"]))
        harness.send(.endOfHeaders)
        #expect(domains == ["first.example", "localhost.localdomain"])
    }

    @Test(arguments: MessageEnding.allCases) func spf(_ ending: MessageEnding) throws {
        // The second message is from an authenticated client: SPF skips it,
        // so only state left over could give it an spf= entry.
        let auth = try AuthHandler(config: JSONParser.parse("{}"))
        let spf = try SPFHandler(config: JSONParser.parse("{}"))
        let harness = Harness(handlers: [auth, spf], settings: Harness.oneLine, resolver: SPFHandlerTests.zone)
        harness.openConnection(helo: "mail-we0-f171.google.com", address: "74.125.82.171")
        let first = harness.sendMessage(ending: ending, from: "<marc@marcbradshaw.net>", headers: [("Subject", "one")])
        if ending == .endOfMessage { #expect(authResultsEntries(first).first?.hasPrefix("spf=pass") == true) }
        harness.authenticateNextMessage()
        let second = harness.sendMessage(from: "<marc@marcbradshaw.net>", headers: [("Subject", "two")])
        #expect(authResultsEntries(second) == ["auth=pass"])
        #expect(!changedFieldNames(second).contains("Received-SPF"))
    }

    @Test(arguments: MessageEnding.allCases) func senderID(_ ending: MessageEnding) throws {
        let auth = try AuthHandler(config: JSONParser.parse("{}"))
        let senderID = try SenderIDHandler(config: JSONParser.parse("{}"))
        let probe = ScriptedHandler()
        var seen: SPFResult?
        probe.onEndOfMessage = { seen = senderID.result(in: $0) }
        let harness = Harness(handlers: [auth, senderID, probe], settings: Harness.oneLine, resolver: SenderIDHandlerTests.zone)
        harness.openConnection()
        let first = harness.sendMessage(ending: ending, headers: [("From", "j@example.com")])
        if ending == .endOfMessage {
            #expect(authResultsEntries(first) == ["senderid=pass"])
            #expect(seen?.request.identity == "j@example.com")
        }
        harness.authenticateNextMessage()
        let second = harness.sendMessage(headers: [("From", "j@example.com")])
        #expect(authResultsEntries(second) == ["auth=pass"])
        #expect(seen == nil)
    }

    @Test(arguments: MessageEnding.allCases) func dmarc(_ ending: MessageEnding) throws {
        typealias Support = DMARCHandlerTestSupport
        let handlers = try Support.handlers()
        let dmarc = try #require(handlers.last as? DMARCHandler)
        let probe = ScriptedHandler()
        var outcomes: [DMARCHandler.Outcome] = []
        var isList = true
        probe.onEndOfMessage = {
            outcomes = dmarc.outcomes(in: $0)
            isList = dmarc.isList(in: $0)
        }
        let harness = Harness(handlers: handlers + [probe], settings: Harness.oneLine, resolver: try Support.zone())
        harness.openConnection()
        let first = harness.sendMessage(ending: ending, from: "<sender@reject.example>",
                                        headers: Support.from("sender@reject.example", [("List-Id", "<list.example>")]))
        if ending == .endOfMessage { #expect(authResultsEntries(first).contains { $0.hasPrefix("dmarc=fail") }) }
        let second = harness.sendMessage(from: "<sender@example.com>", headers: Support.from("sender@example.com"))
        let entries = authResultsEntries(second).filter { $0.hasPrefix("dmarc=") }
        #expect(entries.count == 1 && entries.first?.hasPrefix("dmarc=pass") == true)
        #expect(!entries.contains { $0.contains("reject.example") })
        #expect(outcomes.map(\.result.fromDomain) == ["example.com"])
        #expect(!isList)
        #expect(!changedFieldNames(second).contains("X-Disposition-Quarantine"))
    }

    @Test(arguments: MessageEnding.allCases) func returnOK(_ ending: MessageEnding) throws {
        // The same domain twice: each message checks it.
        let harness = Harness(handlers: [try ReturnOKHandlerTests.handler()], settings: Harness.oneLine,
                              resolver: ReturnOKHandlerTests.zone)
        harness.openConnection()
        harness.sendMessage(ending: ending, from: "<a@example.com>", headers: [("Subject", "one")])
        let second = harness.sendMessage(from: "<b@example.com>", headers: [("Subject", "two")])
        #expect(authResultsEntries(second).contains { $0.hasPrefix("x-return-mx=pass smtp.domain=example.com") })
    }

    @Test(arguments: MessageEnding.allCases) func sanitize(_ ending: MessageEnding) throws {
        // The first message's Authentication-Results claims to be ours and
        // is removed; the second has none, so nothing is removed from it.
        let harness = Harness(handlers: [try SanitizeHandlerTests.handler()], settings: Harness.oneLine)
        harness.openConnection()
        let first = harness.sendMessage(ending: ending, headers: [("Authentication-Results", "mx.example.net; spf=pass"),
                                                                  ("Subject", "one")])
        if ending == .endOfMessage { #expect(changedFieldNames(first).contains("Authentication-Results")) }
        let second = harness.sendMessage(headers: [("Subject", "two")])
        #expect(!second.contains { if case .changeHeader = $0 { true } else { false } })
        #expect(!changedFieldNames(second).contains("X-Received-Authentication-Results"))
    }
}

/// The same for the handlers of issue 13.
@Suite struct MessageStateLeakIssue13Tests {
    /// BIMI: the first message's two BIMI-Selector fields (a fail that
    /// ends BIMI for it) and its forged BIMI-Location leave nothing for the
    /// second, which passes with the default selector and removes nothing.
    @Test(arguments: MessageEnding.allCases) func bimi(_ ending: MessageEnding) throws {
        let handlers = try BIMIHandlerTests.handlers(sanitize: false)
        let harness = Harness(handlers: handlers, settings: Harness.oneLine, resolver: try BIMIHandlerTests.zone())
        harness.session.bimiFetcher = BIMIHandlerTests.fetcher()
        harness.openConnection()
        let first = harness.sendMessage(ending: ending, from: "<sender@example.com>", headers: DMARCHandlerTestSupport.from(
            "sender@example.com", [("BIMI-Selector", "v=BIMI1; s=brand"), ("BIMI-Selector", "v=BIMI1; s=x"), ("BIMI-Location", "forged")]))
        if ending == .endOfMessage { #expect(changedFieldNames(first).contains("bimi-location")) }
        let second = harness.sendMessage(from: "<sender@example.com>", headers: DMARCHandlerTestSupport.from("sender@example.com"))
        #expect(authResultsEntries(second).contains("bimi=pass header.d=example.com header.selector=default"))
        #expect(!second.contains { if case .changeHeader = $0 { true } else { false } })
    }

    @Test(arguments: MessageEnding.allCases) func alignedFrom(_ ending: MessageEnding) throws {
        // The first message's From would make the second, which has none,
        // a pass (or, added up, an error) if anything of it were left.
        let harness = Harness(handlers: [try AlignedFromHandler(config: JSONParser.parse("{}"))], settings: Harness.oneLine)
        harness.openConnection()
        let first = harness.sendMessage(ending: ending, from: "<a@example.com>", headers: [("From", "a@example.com")])
        if ending == .endOfMessage { #expect(authResultsEntries(first) == ["x-aligned-from=pass (Address match)"]) }
        let second = harness.sendMessage(from: "<a@example.com>", headers: [("Subject", "no From")])
        #expect(authResultsEntries(second) == ["x-aligned-from=null_header (No header domain)"])
    }

    @Test(arguments: MessageEnding.allCases) func size(_ ending: MessageEnding) throws {
        let size = try SizeHandler(config: JSONParser.parse("{}"))
        let probe = ScriptedHandler()
        var counts: MessageSizeCounts?
        probe.onEndOfMessage = { counts = size.counts(in: $0) }
        let harness = Harness(handlers: [size, probe], settings: Harness.oneLine)
        harness.openConnection()
        harness.sendMessage(ending: ending, headers: [("Subject", "a first message, longer")], body: "first body\r\n")
        harness.sendMessage(headers: [("Subject", "two")], body: "2\r\n")
        #expect(counts == MessageSizeCounts(headerBytes: 14, bodyBytes: 3))
    }

    @Test(arguments: MessageEnding.allCases) func xGoogleDKIM(_ ending: MessageEnding) throws {
        // A signed first message; an unsigned second is `none` and has no results.
        typealias Google = XGoogleDKIMHandlerTests
        let handler = try XGoogleDKIMHandler(config: JSONParser.parse("{}"))
        let probe = ScriptedHandler()
        var results: [DKIMSignatureResult] = []
        probe.onEndOfMessage = { results = handler.results(in: $0) }
        let harness = Harness(handlers: [handler, probe], settings: Harness.oneLine, resolver: try Google.zone())
        harness.openConnection()
        let signed = MessageStateLeakSigningTests.milterMessage(Google.renamed(try Google.signature(Google.message)) + Google.message)
        let first = harness.sendMessage(ending: ending, headers: signed.headers, body: signed.body)
        if ending == .endOfMessage {
            #expect(authResultsEntries(first).first?.hasPrefix("x-google-dkim=pass") == true)
            #expect(results.count == 1)
        }
        let unsigned = MessageStateLeakSigningTests.milterMessage(Google.message)
        let second = harness.sendMessage(headers: unsigned.headers, body: unsigned.body)
        #expect(authResultsEntries(second) == ["x-google-dkim=none (no signatures found)"])
        #expect(results.isEmpty)
    }
}

/// The same for the handlers that verify or sign with the DKIM test keys.
@Suite(.requiresConformanceData(.dkim)) struct MessageStateLeakSigningTests {
    typealias ARCSupport = ARCHandlerTestSupport
    typealias Data = DKIMHandlerTestData

    @Test(arguments: MessageEnding.allCases) func arc(_ ending: MessageEnding) throws {
        // First a message with a passing chain, then one without: the
        // second is `arc=none` and sealed as the first instance.
        let dns = try ARCSupport.zone()
        let sealed = ARCSupport.hop([try ARCSupport.handler(sealingAs: "example.com")], authservID: "mx1.example.com",
                                    headers: ARCSupport.headers, resolver: dns).headers
        let arc = try ARCSupport.handler(sealingAs: "forwarder.example")
        let probe = ScriptedHandler()
        var verification: ARCVerifierResult?
        probe.onEndOfMessage = { verification = arc.verification(in: $0) }
        let harness = Harness(handlers: [arc, probe], settings: Harness.oneLine, resolver: dns)
        harness.openConnection()
        let first = harness.sendMessage(ending: ending, headers: sealed, body: ARCSupport.body)
        if ending == .endOfMessage {
            #expect(authResultsEntries(first).first?.hasPrefix("arc=pass") == true)
            #expect(verification?.status == .pass)
        }
        let second = harness.sendMessage(headers: ARCSupport.headers, body: ARCSupport.body)
        #expect(authResultsEntries(second) == ["arc=none (no signatures found)"])
        #expect(verification == ARCVerifierResult(status: .none))
        let seal = second.compactMap { reply -> String? in
            if case .insertHeader(_, "ARC-Seal", let value) = reply { return value } else { return nil }
        }
        #expect(seal.count == 1 && seal.first?.contains("i=1;") == true && seal.first?.contains("cv=none;") == true)
        #expect(arc.lastSealError == nil)
    }

    /// A message as the milter protocol carries it.
    static func milterMessage(_ message: [UInt8]) -> (headers: [(String, String)], body: String) {
        let (fields, bodyStart) = MessageHeaderSplitter.split(message)
        let headers = fields.map { field in
            let raw = Data.milterForm(field)
            return (String(decoding: raw.name, as: UTF8.self), String(decoding: raw.value, as: UTF8.self))
        }
        return (headers, String(decoding: message[bodyStart...], as: UTF8.self))
    }

    @Test(arguments: MessageEnding.allCases) func dkim(_ ending: MessageEnding) throws {
        let dkim = try DKIMHandler(config: JSONParser.parse(#"{"check_adsp": 0}"#))
        let probe = ScriptedHandler()
        var passing: [String] = ["unset"]
        probe.onEndOfMessage = { passing = dkim.passingDomains(in: $0) }
        let harness = Harness(handlers: [dkim, probe], settings: Harness.oneLine, resolver: try Data.zone())
        harness.openConnection()
        let signed = Self.milterMessage(try Data.bytes("rfc6376.signed.rsa.msg"))
        let first = harness.sendMessage(ending: ending, from: "<joe@football.example.com>", headers: signed.headers, body: signed.body)
        if ending == .endOfMessage {
            #expect(authResultsEntries(first).first?.hasPrefix("dkim=pass") == true)
            #expect(passing == ["football.example.com"])
        }
        let second = harness.sendMessage(headers: [("From", "Sender <sender@example.org>"), ("Subject", "Hello")])
        #expect(authResultsEntries(second) == ["dkim=none (no signatures found)"])
        #expect(passing.isEmpty)
    }

    @Test(arguments: MessageEnding.allCases) func dkimSign(_ ending: MessageEnding) throws {
        // Both messages from an authenticated client; only the first is
        // From a domain with a key.
        let auth = try AuthHandler(config: JSONParser.parse("{}"))
        let sign = try DKIMSignHandlerTests.handler(try DKIMSignHandlerTests.dualConfig())
        let harness = Harness(handlers: [auth, sign], settings: Harness.oneLine)
        harness.openConnection()
        harness.authenticateNextMessage()
        let first = harness.sendMessage(ending: ending, from: "<test@example.com>",
                                        headers: [("From", "Test User <test@example.com>"), ("Subject", "one")])
        if ending == .endOfMessage { #expect(changedFieldNames(first).filter { $0 == "DKIM-Signature" }.count == 2) }
        let second = harness.sendMessage(from: "<test@elsewhere.example>",
                                         headers: [("From", "Test User <test@elsewhere.example>"), ("Subject", "two")])
        #expect(!changedFieldNames(second).contains("DKIM-Signature"))
    }
}

/// The same for SpamAssassin: the first message's header fields and body,
/// and its forged X-Spam fields, are not part of the second.
@Suite struct MessageStateLeakSpamAssassinTests {
    @Test(arguments: MessageEnding.allCases) func spamAssassin(_ ending: MessageEnding) throws {
        let reply = ScriptedSpamd.symbolsReply(flag: "False", score: "0.1", symbols: "NONE")
        let spamd = try ScriptedSpamd { _ in .reply(reply) }
        defer { spamd.stop() }
        let harness = Harness(handlers: [try SpamAssassinHandler(config: JSONParser.parse("{}"))], settings: Harness.oneLine)
        harness.session.spamScanner = DirectSpamdScanner(address: .inet([127, 0, 0, 1], port: spamd.port), timeoutSeconds: 5)
        harness.openConnection()
        harness.sendMessage(ending: ending, headers: [("Subject", "first"), ("X-Spam-Status", "forged")], body: "first body\r\n")
        let second = harness.sendMessage(headers: [("Subject", "two")], body: "2\r\n")
        #expect(!changedFieldNames(second).contains("x-spam-status"))
        #expect(!changedFieldNames(second).contains("X-Received-X-Spam-Status"))
        let last = String(decoding: try #require(spamd.requests.last), as: UTF8.self)
        #expect(last.hasSuffix("\r\n\r\nSubject: two\r\n\r\n2\r\n\r\n"))
    }
}
