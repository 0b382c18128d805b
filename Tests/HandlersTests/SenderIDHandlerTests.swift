import Config
import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// The SenderID handler: the Perl handler's key, its bare `senderid=`
/// entry and the unwrapped `Received-SPF` line it prepends, over an
/// in-memory zone; and this program's two extension keys.
@Suite struct SenderIDHandlerTests {
    static var zone: InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        dns.add("example.com", .txt("spf2.0/pra ip4:192.0.2.0/24 -all"))
        dns.add("example.org", .txt("spf2.0/mfrom,pra ip4:192.0.2.0/24 ~all"))
        dns.add("neutral.example", .txt("spf2.0/pra ?all"))
        dns.add("lists.example.net", .txt("spf2.0/pra ip4:198.51.100.0/24 -all"))
        dns.add("v1only.example", .txt("v=spf1 ip4:192.0.2.0/24 -all"))
        dns.add("mfromonly.example", [.txt("spf2.0/mfrom ip4:192.0.2.0/24 -all"), .txt("v=spf1 ip4:192.0.2.0/24 -all")])
        dns.add("broken.example", .txt("spf2.0/pra ip4:999.0.0.0 -all"))
        dns.markTimeout("slow.example")
        return dns
    }

    static func handler(_ config: String = "{}") throws -> SenderIDHandler {
        try SenderIDHandler(config: JSONParser.parse(config))
    }

    static func session(ip: String = "192.0.2.1", helo: String = "mail.example.org",
                        zone: InMemoryDNSResolver = zone) -> MailSession {
        let session = MailSession(resolver: zone)
        session.remoteIP = ip
        session.heloHost = helo
        session.macros["j"] = "mx.example.net"
        return session
    }

    static func run(_ handler: SenderIDHandler, _ session: MailSession,
                    headers: [(String, String)], from: String = "<bounce@envelope.example>") throws {
        try handler.helo(session, host: session.heloHost)
        try handler.envelopeFrom(session, address: from)
        for (name, value) in headers { try handler.header(session, name: name, value: value) }
        try handler.endOfHeaders(session)
    }

    static func entries(_ session: MailSession) -> [String] { session.authResults.map(\.sortKey) }

    // MARK: Configuration

    @Test func keysAndDefaults() throws {
        #expect(SenderIDHandler.name == "SenderID")
        #expect(SenderIDHandler.configKeys == ["hide_none", "pra_selection", "spf1_fallback"])
        guard case .object(let sample)? = try? JSONParser.parse(SenderIDHandler.defaultConfigJSON) else {
            Issue.record("default_config is not an object")
            return
        }
        #expect(Array(sample.keys) == ["hide_none"] && sample["hide_none"] == .number(JSONNumber(1)))
        #expect(SenderIDHandler.helpText.contains(#""hide_none" : 1"#))
        // At run time a missing key is off, as Perl reads the block as is.
        let handler = try Self.handler()
        #expect(!handler.hideNone && handler.praSelection == .from && !handler.spf1Fallback)
        #expect(!handler.options.senderIDFallsBackToVersion1)
        let set = try Self.handler(#"{"hide_none": "1", "pra_selection": "RFC4407", "spf1_fallback": true}"#)
        #expect(set.hideNone && set.praSelection == .rfc4407 && set.spf1Fallback && set.options.senderIDFallsBackToVersion1)
        #expect(throws: ConfigurationError.self) { try Self.handler(#"{"hide_none": "yes"}"#) }
        #expect(throws: ConfigurationError.self) { try Self.handler(#"{"pra_selection": "sender"}"#) }
        #expect(throws: ConfigurationError.self) { try Self.handler(#"{"pra_selection": 1}"#) }
    }

    // MARK: Results

    @Test func passEntryAndReceivedSPF() throws {
        let session = Self.session()
        let handler = try Self.handler()
        try Self.run(handler, session, headers: [("From", "Alice <alice@example.com>"), ("Subject", "Hi")])
        #expect(session.authResults == [AuthResultsEntry(method: "senderid", result: "pass")])
        #expect(Self.entries(session) == ["senderid=pass"])
        #expect(session.prependedHeaders.count == 1)
        #expect(session.prependedHeaders.first?.name == "Received-SPF")
        #expect(session.prependedHeaders.first?.value == """
            pass (example.com: 192.0.2.1 is authorized to use 'alice@example.com' in 'pra' identity \
            (mechanism 'ip4:192.0.2.0/24' matched)) receiver=mx.example.net; identity=pra; \
            pra="alice@example.com"; helo=mail.example.org; client-ip=192.0.2.1
            """)
        #expect(handler.result(in: session)?.request.scope == .pra)
    }

    @Test func everyResult() throws {
        let cases: [(from: String, ip: String, entry: String)] = [
            ("a@example.com", "198.51.100.9", "senderid=fail"),
            ("a@example.org", "198.51.100.9", "senderid=softfail"),
            ("a@neutral.example", "192.0.2.1", "senderid=neutral"),
            ("a@nothing.example", "192.0.2.1", "senderid=none"),
            ("a@broken.example", "192.0.2.1", "senderid=permerror"),
            ("a@slow.example", "192.0.2.1", "senderid=temperror"),
            ("a@example.org", "2001:db8::1", "senderid=softfail"),
        ]
        for item in cases {
            let session = Self.session(ip: item.ip)
            try Self.run(Self.handler(), session, headers: [("From", item.from)])
            #expect(Self.entries(session) == [item.entry])
            #expect(session.prependedHeaders.first?.value.hasPrefix(String(item.entry.dropFirst(9)) + " (") == true)
        }
        let fail = Self.session(ip: "198.51.100.9")
        try Self.run(Self.handler(), fail, headers: [("From", "a@example.com")])
        #expect(fail.prependedHeaders.first?.value.hasPrefix(
            "fail (example.com: Sender is not authorized by default to use 'a@example.com' in 'pra' identity (mechanism '-all' matched))") == true)
        let slow = Self.session()
        try Self.run(Self.handler(), slow, headers: [("From", "a@slow.example")])
        #expect(slow.prependedHeaders.first?.value.hasPrefix(
            "temperror (slow.example: Time-out on DNS 'TXT' lookup of 'slow.example') receiver=") == true)
    }

    @Test func hideNoneDropsEntryAndHeader() throws {
        for domain in ["nothing.example", "v1only.example", "mfromonly.example"] {
            let shown = Self.session()
            try Self.run(Self.handler(), shown, headers: [("From", "a@\(domain)")])
            #expect(Self.entries(shown) == ["senderid=none"] && shown.prependedHeaders.count == 1)
            let hidden = Self.session()
            try Self.run(Self.handler(#"{"hide_none": 1}"#), hidden, headers: [("From", "a@\(domain)")])
            #expect(hidden.authResults.isEmpty && hidden.prependedHeaders.isEmpty)
        }
        // Only none is hidden.
        let fail = Self.session(ip: "198.51.100.9")
        try Self.run(Self.handler(#"{"hide_none": 1}"#), fail, headers: [("From", "a@example.com")])
        #expect(Self.entries(fail) == ["senderid=fail"])
    }

    @Test func version1RecordsNeedTheFallbackKey() throws {
        let plain = Self.session()
        try Self.run(Self.handler(), plain, headers: [("From", "a@v1only.example")])
        #expect(Self.entries(plain) == ["senderid=none"])
        let fallback = Self.session()
        try Self.run(Self.handler(#"{"spf1_fallback": 1}"#), fallback, headers: [("From", "a@v1only.example")])
        #expect(Self.entries(fallback) == ["senderid=pass"])
        // An spf2.0 record of another scope still means "none".
        let mfrom = Self.session()
        try Self.run(Self.handler(#"{"spf1_fallback": 1}"#), mfrom, headers: [("From", "a@mfromonly.example")])
        #expect(Self.entries(mfrom) == ["senderid=none"])
    }

    // MARK: Identity, as the Perl handler takes it

    @Test func theLastFromFieldsMailboxIsChecked() throws {
        let session = Self.session()
        let handler = try Self.handler()
        try Self.run(handler, session, headers: [
            ("From", "a@nothing.example"),
            ("Sender", "s@lists.example.net"),
            ("from", "\"Doe, J\" <j(work)@example.com>"),
        ])
        #expect(Self.entries(session) == ["senderid=pass"])
        #expect(handler.result(in: session)?.request.identity == "j@example.com")
    }

    @Test func noFromIsABarePermerror() throws {
        for headers in [[("Subject", "no from")], [("From", "")], [("Sender", "s@lists.example.net")]] {
            let session = Self.session()
            try Self.run(Self.handler(#"{"hide_none": 1}"#), session, headers: headers)
            #expect(Self.entries(session) == ["senderid=permerror"])
            #expect(session.prependedHeaders.isEmpty)
        }
    }

    /// Issue 11 item 2: the lenient parser invented a PRA (the first of two
    /// mailboxes, or the text itself); the newest Perl release, with
    /// Email::Address::XS, has no identity: a bare permerror and no
    /// Received-SPF (RFC 4407 section 2: no single mailbox, no PRA).
    @Test func aFromWithoutOneMailboxIsAPermerrorWithoutReceivedSPF() throws {
        for from in ["\"Doe, J\" <j@example.com>, other@elsewhere.example", "Undisclosed recipients:;", "foo",
                     "g: j@example.com;", "a@b@example.com", "\"a <j@example.com>\" <>"] {
            let session = Self.session()
            let handler = try Self.handler()
            try Self.run(handler, session, headers: [("From", from)])
            #expect(Self.entries(session) == ["senderid=permerror"], "\(from)")
            #expect(session.prependedHeaders.isEmpty && handler.result(in: session) == nil, "\(from)")
        }
    }

    @Test func aQuotedLocalPartIsCheckedAsEmailAddressXSWritesIt() throws {
        let session = Self.session()
        let handler = try Self.handler()
        try Self.run(handler, session, headers: [("From", "\"alice\"@example.com")])
        #expect(handler.result(in: session)?.request.identity == "alice@example.com")
        #expect(session.prependedHeaders.first?.value == """
            pass (example.com: 192.0.2.1 is authorized to use 'alice@example.com' in 'pra' identity \
            (mechanism 'ip4:192.0.2.0/24' matched)) receiver=mx.example.net; identity=pra; \
            pra="alice@example.com"; helo=mail.example.org; client-ip=192.0.2.1
            """)
        let spaced = Self.session()
        try Self.run(handler, spaced, headers: [("From", "\"a b\"@example.com")])
        #expect(spaced.prependedHeaders.first?.value == """
            pass (example.com: 192.0.2.1 is authorized to use '"a b"@example.com' in 'pra' identity \
            (mechanism 'ip4:192.0.2.0/24' matched)) receiver=mx.example.net; identity=pra; \
            pra="\\"a b\\"@example.com"; helo=mail.example.org; client-ip=192.0.2.1
            """)
    }

    @Test func anUnusableClientAddressIsABareTemperror() throws {
        let session = Self.session(ip: "unknown")
        try Self.run(Self.handler(), session, headers: [("From", "a@example.com")])
        #expect(Self.entries(session) == ["senderid=temperror"] && session.prependedHeaders.isEmpty)
    }

    @Test func withoutHeloTheReceivedSPFHasNoHelo() throws {
        let handler = try Self.handler()
        let session = Self.session(helo: "")
        session.macros = ["rcpt_host": "rcpt.example.net"]
        try handler.envelopeFrom(session, address: "<>")
        try handler.header(session, name: "From", value: "a@example.com")
        try handler.endOfHeaders(session)
        #expect(session.prependedHeaders.first?.value.hasSuffix(
            #"receiver=rcpt.example.net; identity=pra; pra="a@example.com"; client-ip=192.0.2.1"#) == true)
    }

    // MARK: RFC 4407 selection (extension key)

    @Test func rfc4407SelectionUsesResentAndSenderFields() throws {
        let config = #"{"pra_selection": "rfc4407"}"#
        let sender = Self.session(ip: "198.51.100.20")
        let handler = try Self.handler(config)
        try Self.run(handler, sender, headers: [("From", "a@example.com"), ("Sender", "bounce@lists.example.net")])
        #expect(Self.entries(sender) == ["senderid=pass"] && handler.result(in: sender)?.request.identity == "bounce@lists.example.net")

        let resent = Self.session()
        try Self.run(handler, resent, headers: [
            ("Resent-From", "fwd@example.com"), ("Received", "from a"), ("Received", "from b"),
            ("Resent-Sender", "old@lists.example.net"), ("From", "x@nothing.example"),
        ])
        #expect(handler.result(in: resent)?.request.identity == "fwd@example.com" && Self.entries(resent) == ["senderid=pass"])

        for headers in [[("From", "a@example.com"), ("From", "b@example.com")], [("From", "a@example.com, b@example.com")],
                        [("Subject", "none")]] {
            let illFormed = Self.session()
            try Self.run(Self.handler(config), illFormed, headers: headers)
            #expect(Self.entries(illFormed) == ["senderid=permerror"] && illFormed.prependedHeaders.isEmpty)
        }
    }

    // MARK: When it runs

    @Test func localTrustedAndAuthenticatedClientsAreSkipped() throws {
        for mark in [\MailSession.isLocalIP, \MailSession.isTrustedIP, \MailSession.isAuthenticated] {
            let session = Self.session()
            session[keyPath: mark] = true
            let handler = try Self.handler()
            try Self.run(handler, session, headers: [("From", "a@example.com")])
            #expect(session.authResults.isEmpty && session.prependedHeaders.isEmpty && handler.result(in: session) == nil)
            // Not even the missing-From permerror.
            let noFrom = Self.session()
            noFrom[keyPath: mark] = true
            try Self.run(Self.handler(), noFrom, headers: [])
            #expect(noFrom.authResults.isEmpty)
        }
    }

    @Test func stateIsPerMessage() throws {
        let handler = try Self.handler()
        let session = Self.session()
        try Self.run(handler, session, headers: [("From", "a@example.com")])
        #expect(handler.result(in: session) != nil)
        handler.abort(session)
        session.resetMessage()
        #expect(handler.result(in: session) == nil)
        // The next message has no From of its own: the old one is forgotten.
        try Self.run(handler, session, headers: [])
        #expect(Self.entries(session) == ["senderid=permerror"])
    }

    @Test func malformedHeadersNeverCrash() throws {
        let values = ["<", ">", "\"", "(", "@", "<@>", "a@", "@b", "\u{0}", "é@ü.example", "a@b@c.example",
                      String(repeating: "(", count: 3000), String(repeating: "<a@example.com>,", count: 1000),
                      "a@" + String(repeating: "x.", count: 300) + "example", "\r\n\t", "a@[192.0.2.1]"]
        for selection in ["from", "rfc4407"] {
            for value in values {
                for name in ["From", "Sender", "Resent-From", "Resent-Sender", "Received"] {
                    let session = Self.session()
                    try Self.run(Self.handler(#"{"pra_selection": "\#(selection)"}"#), session, headers: [(name, value)])
                    #expect(session.authResults.count <= 1)
                }
            }
        }
    }

    // MARK: Through the dispatcher

    @Test func theHeaderAsTheMilterWritesIt() throws {
        let harness = Harness(handlers: [try Self.handler()], resolver: Self.zone)
        harness.openConnection()
        let replies = harness.sendMessage(headers: [("From", "Alice <alice@example.com>"), ("Subject", "Hello")])
        // Each is inserted at the top, in the order Perl queues them, so
        // Authentication-Results ends up above Received-SPF.
        #expect(replies == [
            .insertHeader(index: 1, name: "Received-SPF", value: """
                pass (example.com: 192.0.2.1 is authorized to use 'alice@example.com' in 'pra' identity \
                (mechanism 'ip4:192.0.2.0/24' matched)) receiver=mx.example.net; identity=pra; \
                pra="alice@example.com"; helo=mail.example.org; client-ip=192.0.2.1
                """),
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net;\n    senderid=pass"),
            .continue,
        ])
    }
}
