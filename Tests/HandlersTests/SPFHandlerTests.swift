import Config
import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// The SPF handler: the Perl program's keys, its `spf=` entry and the
/// `Received-SPF` header it prepends, over an in-memory zone.
@Suite struct SPFHandlerTests {
    static var zone: InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        dns.add("marcbradshaw.net", .txt("v=spf1 include:_spf.google.com ~all"))
        dns.add("_spf.google.com", .txt("v=spf1 ip4:74.125.0.0/16 ~all"))
        dns.add("example.com", .txt("v=spf1 ip4:192.0.2.0/24 -all"))
        dns.add("mail-we0-f171.google.com", .txt("v=spf1 a -all"))
        dns.add("mail-we0-f171.google.com", .a("74.125.82.171"))
        dns.add("foobar.spfuvictim.com", .txt("v=spf1 ip4:1.2.3.4 -all"))
        dns.add("v6.example", .txt("v=spf1 ip6:2001:db8::/32 -all"))
        dns.add("badprefix.example", .txt("v=spf1 ip4:192.0.2.0/33 -all"))
        dns.markTimeout("slow.example")
        return dns
    }

    static func handler(_ config: String = "{}") throws -> SPFHandler {
        try SPFHandler(config: JSONParser.parse(config))
    }

    /// A session after connect and HELO, as the dispatcher leaves it.
    static func session(ip: String = "74.125.82.171", helo: String = "mail-we0-f171.google.com",
                        zone: InMemoryDNSResolver = zone) -> MailSession {
        let session = MailSession(resolver: zone)
        session.remoteIP = ip
        session.heloHost = helo
        session.macros["j"] = "test.module"
        return session
    }

    static func run(_ handler: SPFHandler, _ session: MailSession, from: String,
                    headers: [(String, String)] = []) throws {
        try handler.helo(session, host: session.heloHost)
        try handler.envelopeFrom(session, address: from)
        for (name, value) in headers { try handler.header(session, name: name, value: value) }
        try handler.endOfHeaders(session)
    }

    @Test func defaultsAndKeysAreThePerlOnes() throws {
        #expect(SPFHandler.configKeys == ["hide_received-spf_header", "hide_none", "best_guess", "spfu_detection", "helo_check"])
        let handler = try Self.handler()
        #expect(!handler.hideReceivedSPFHeader && !handler.hideNone && !handler.bestGuess && handler.spfuDetection == 0)
        let set = try Self.handler(#"{"hide_received-spf_header": "1", "hide_none": true, "best_guess": 1, "spfu_detection": true}"#)
        #expect(set.hideReceivedSPFHeader && set.hideNone && set.bestGuess && set.spfuDetection == 1)
        #expect(try Self.handler(#"{"spfu_detection": 2}"#).spfuDetection == 2)
        #expect(throws: ConfigurationError.self) { try Self.handler(#"{"hide_none": "yes"}"#) }
        #expect(throws: ConfigurationError.self) { try Self.handler(#"{"spfu_detection": "report"}"#) }
        #expect(SPFHandler.helpText.contains("hide_received-spf_header"))
    }

    @Test func passEntryAndReceivedSPFAsThePerlSample() throws {
        // authentication_milter's t/data/example/google_apps_good.eml.
        let session = Self.session()
        try Self.run(Self.handler(), session, from: "<marc@marcbradshaw.net>")
        #expect(session.authResults.map(\.sortKey) == [
            "spf=pass smtp.mailfrom=marc@marcbradshaw.net smtp.helo=mail-we0-f171.google.com",
        ])
        #expect(session.authResults == [AuthResultsEntry(method: "spf", result: "pass", parts: [
            .property(AuthResultsProperty(type: "smtp", name: "mailfrom", value: "marc@marcbradshaw.net")),
            .property(AuthResultsProperty(type: "smtp", name: "helo", value: "mail-we0-f171.google.com")),
        ])])
        #expect(session.prependedHeaders.count == 1)
        #expect(session.prependedHeaders.first?.name == "Received-SPF")
        #expect(session.prependedHeaders.first?.value == """
            pass
                (marcbradshaw.net: Sender is authorized to use 'marc@marcbradshaw.net' in 'mfrom' identity (mechanism 'include:_spf.google.com' matched))
                receiver=test.module;
                identity=mailfrom;
                envelope-from="marc@marcbradshaw.net";
                helo=mail-we0-f171.google.com;
                client-ip=74.125.82.171
            """)
    }

    /// Issue 11 item 1: a quoted local part was dropped (`smtp.mailfrom=
    /// @spf-macro.net`, `%{l}` empty). As Email::Address::XS writes the
    /// address: quotes only where needed, so `%{l}` is `alice`.
    @Test func aQuotedLocalPartIsKept() throws {
        var zone = Self.zone
        zone.add("spf-macro.net", .txt("v=spf1 exists:%{l}.users.%{d} -all"))
        zone.add("alice.users.spf-macro.net", .a("127.0.0.2"))
        zone.add("spf-pass.net", .txt("v=spf1 ip4:74.125.0.0/16 -all"))
        let macro = Self.session(zone: zone)
        try Self.run(Self.handler(), macro, from: #"<"alice"@spf-macro.net>"#)
        #expect(macro.authResults.map(\.sortKey) == [
            "spf=pass smtp.mailfrom=alice@spf-macro.net smtp.helo=mail-we0-f171.google.com",
        ])
        #expect(macro.prependedHeaders.first?.value == """
            pass
                (spf-macro.net: Sender is authorized to use 'alice@spf-macro.net' in 'mfrom' identity (mechanism 'exists:%{l}.users.%{d}' matched))
                receiver=test.module;
                identity=mailfrom;
                envelope-from="alice@spf-macro.net";
                helo=mail-we0-f171.google.com;
                client-ip=74.125.82.171
            """)
        // A local part that needs its quotes keeps them; the A-R value is
        // what Mail::AuthenticationResults' safe_set_value makes of it
        // (quotes become spaces, then the value is quoted for its spaces).
        let spaced = Self.session(zone: zone)
        try Self.run(Self.handler(), spaced, from: #"<"a b"@spf-pass.net>"#)
        #expect(spaced.authResults.map(\.sortKey) == [
            #"spf=pass smtp.mailfrom="a b @spf-pass.net" smtp.helo=mail-we0-f171.google.com"#,
        ])
        #expect(spaced.prependedHeaders.first?.value == #"""
            pass
                (spf-pass.net: 74.125.82.171 is authorized to use '"a b"@spf-pass.net' in 'mfrom' identity (mechanism 'ip4:74.125.0.0/16' matched))
                receiver=test.module;
                identity=mailfrom;
                envelope-from="\"a b\"@spf-pass.net";
                helo=mail-we0-f171.google.com;
                client-ip=74.125.82.171
            """#)
        // An SMTPUTF8 local part survives as it is.
        let utf8 = Self.session(zone: zone)
        try Self.run(Self.handler(), utf8, from: "<jörg@spf-pass.net>")
        #expect(utf8.authResults.map(\.sortKey) == ["spf=pass smtp.mailfrom=jörg@spf-pass.net smtp.helo=mail-we0-f171.google.com"])
    }

    /// An IPv6 client: Mail::SPF writes it compressed (NetAddr::IP
    /// `short`, lower-cased), whatever form the MTA passed, and quotes it
    /// in the key=value list (a colon is not dot-atom text).
    @Test func ipv6ClientIsWrittenCompressed() throws {
        let session = Self.session(ip: "2001:DB8:0:0:0:0:0:25")
        try Self.run(Self.handler(), session, from: "<a@v6.example>")
        #expect(session.authResults.map(\.sortKey) == ["spf=pass smtp.mailfrom=a@v6.example smtp.helo=mail-we0-f171.google.com"])
        #expect(session.prependedHeaders.first?.value == """
            pass
                (v6.example: 2001:db8::25 is authorized to use 'a@v6.example' in 'mfrom' identity (mechanism 'ip6:2001:DB8::/32' matched))
                receiver=test.module;
                identity=mailfrom;
                envelope-from="a@v6.example";
                helo=mail-we0-f171.google.com;
                client-ip="2001:db8::25"
            """)
    }

    /// `helo_check` (Perl 4.20260319): the HELO name is checked on its own
    /// and the handler writes two entries instead of one carrying both
    /// identities; one Received-SPF (the MAIL FROM check's), and DMARC
    /// still reads the MAIL FROM result.
    @Test func heloCheckWritesTwoEntries() throws {
        let session = Self.session()
        let handler = try Self.handler(#"{"helo_check": 1}"#)
        #expect(handler.heloCheck)
        try Self.run(handler, session, from: "<marc@marcbradshaw.net>")
        #expect(session.authResults.map(\.sortKey) == [
            "spf=pass smtp.mailfrom=marc@marcbradshaw.net",
            "spf=pass smtp.helo=mail-we0-f171.google.com",
        ])
        #expect(session.prependedHeaders.map(\.name) == ["Received-SPF"])
        #expect(handler.dmarcScope(in: session) == "mfrom" && handler.dmarcResult(in: session) == "pass")

        // A HELO name without a record: its own result.
        let other = Self.session(helo: "nothing.example")
        try Self.run(try Self.handler(#"{"helo_check": 1}"#), other, from: "<marc@marcbradshaw.net>")
        #expect(other.authResults.map(\.sortKey) == [
            "spf=pass smtp.mailfrom=marc@marcbradshaw.net",
            "spf=none smtp.helo=nothing.example",
        ])
        // hide_none hides the HELO entry alone.
        let hidden = Self.session(helo: "nothing.example")
        try Self.run(try Self.handler(#"{"helo_check": 1, "hide_none": 1}"#), hidden, from: "<marc@marcbradshaw.net>")
        #expect(hidden.authResults.map(\.sortKey) == ["spf=pass smtp.mailfrom=marc@marcbradshaw.net"])

        // A null sender is already a HELO check: one entry, as without the key.
        let bounce = Self.session()
        try Self.run(try Self.handler(#"{"helo_check": 1}"#), bounce, from: "<>")
        #expect(bounce.authResults.map(\.sortKey) == [#"spf=pass smtp.mailfrom="" smtp.helo=mail-we0-f171.google.com"#])
    }

    /// A refused record: Mail::SPF's exact words in the Received-SPF
    /// comment (issue 11 item 7), no comment in the entry.
    @Test func permerrorCarriesMailSPFWords() throws {
        let session = Self.session()
        try Self.run(Self.handler(), session, from: "<a@badprefix.example>")
        #expect(session.authResults.map(\.sortKey) == ["spf=permerror smtp.mailfrom=a@badprefix.example smtp.helo=mail-we0-f171.google.com"])
        #expect(session.prependedHeaders.first?.value == """
            permerror
                (badprefix.example: Invalid IPv4 prefix length encountered in 'ip4:192.0.2.0/33')
                receiver=test.module;
                identity=mailfrom;
                envelope-from="a@badprefix.example";
                helo=mail-we0-f171.google.com;
                client-ip=74.125.82.171
            """)
    }

    @Test func failEntry() throws {
        let session = Self.session(ip: "198.51.100.7", helo: "client.example.net")
        try Self.run(Self.handler(), session, from: "<User@Example.COM>")
        #expect(session.authResults.map(\.sortKey) == ["spf=fail smtp.mailfrom=User@Example.COM smtp.helo=client.example.net"])
        #expect(session.prependedHeaders.first?.value == """
            fail
                (example.com: Sender is not authorized by default to use 'User@Example.COM' in 'mfrom' identity (mechanism '-all' matched))
                receiver=test.module;
                identity=mailfrom;
                envelope-from="User@Example.COM";
                helo=client.example.net;
                client-ip=198.51.100.7
            """)
    }

    @Test func nullSenderChecksTheHeloName() throws {
        let handler = try Self.handler()
        let session = Self.session()
        try Self.run(handler, session, from: "<>")
        #expect(session.authResults.map(\.sortKey) == [#"spf=pass smtp.mailfrom="" smtp.helo=mail-we0-f171.google.com"#])
        #expect(session.prependedHeaders.first?.value == """
            pass
                (mail-we0-f171.google.com: 74.125.82.171 is authorized to use 'mail-we0-f171.google.com' in 'helo' identity (mechanism 'a' matched))
                receiver=test.module;
                identity=helo;
                helo=mail-we0-f171.google.com;
                client-ip=74.125.82.171
            """)
        #expect(handler.dmarcScope(in: session) == "helo" && handler.dmarcDomain(in: session) == "mail-we0-f171.google.com" && handler.dmarcResult(in: session) == "pass")
    }

    @Test func noneIsShownUnlessHidden() throws {
        let session = Self.session()
        try Self.run(Self.handler(), session, from: "<a@nothing.example>")
        #expect(session.authResults.map(\.sortKey) == ["spf=none smtp.mailfrom=a@nothing.example smtp.helo=mail-we0-f171.google.com"])
        #expect(session.prependedHeaders.first?.value.hasPrefix("none\n    (nothing.example: No applicable sender policy available)\n") == true)

        let hidden = Self.session()
        let handler = try Self.handler(#"{"hide_none": 1}"#)
        try Self.run(handler, hidden, from: "<a@nothing.example>")
        #expect(hidden.authResults.isEmpty && hidden.prependedHeaders.isEmpty)
        #expect(handler.dmarcResult(in: hidden) == "none")
    }

    @Test func receivedSPFCanBeHidden() throws {
        let session = Self.session()
        try Self.run(Self.handler(#"{"hide_received-spf_header": 1}"#), session, from: "<marc@marcbradshaw.net>")
        #expect(session.authResults.count == 1 && session.prependedHeaders.isEmpty)
    }

    @Test func temperrorOnTimeouts() throws {
        let session = Self.session()
        try Self.run(Self.handler(), session, from: "<a@slow.example>")
        #expect(session.authResults.map(\.sortKey) == ["spf=temperror smtp.mailfrom=a@slow.example smtp.helo=mail-we0-f171.google.com"])
        #expect(session.prependedHeaders.first?.value.contains("(slow.example: Time-out on DNS 'TXT' lookup of 'slow.example')") == true)
    }

    @Test func noIdentityOrAddressIsABareTemperror() throws {
        let noHelo = Self.session(helo: "")
        let handler = try Self.handler()
        try handler.envelopeFrom(noHelo, address: "<>")
        try handler.endOfHeaders(noHelo)
        #expect(noHelo.authResults.map(\.sortKey) == ["spf=temperror"])
        #expect(noHelo.prependedHeaders.isEmpty)

        let badIP = Self.session(ip: "unknown")
        try Self.run(Self.handler(), badIP, from: "<marc@marcbradshaw.net>")
        #expect(badIP.authResults.map(\.sortKey) == ["spf=temperror"])
    }

    @Test func localTrustedAndAuthenticatedClientsAreSkipped() throws {
        for mark in [\MailSession.isLocalIP, \MailSession.isTrustedIP, \MailSession.isAuthenticated] {
            let session = Self.session()
            session[keyPath: mark] = true
            try Self.run(Self.handler(), session, from: "<marc@marcbradshaw.net>")
            #expect(session.authResults.isEmpty && session.prependedHeaders.isEmpty)
        }
    }

    @Test func entryIsAddedAtEndOfHeaders() throws {
        let handler = try Self.handler()
        let session = Self.session()
        try handler.envelopeFrom(session, address: "<marc@marcbradshaw.net>")
        #expect(session.authResults.isEmpty && session.prependedHeaders.count == 1)
        try handler.endOfHeaders(session)
        #expect(session.authResults.count == 1)
    }

    @Test func stateIsPerMessage() throws {
        let handler = try Self.handler()
        let session = Self.session()
        try Self.run(handler, session, from: "<marc@marcbradshaw.net>")
        #expect(handler.results(in: session).count == 1)
        handler.abort(session)
        session.resetMessage()
        #expect(handler.dmarcResult(in: session) == nil && handler.results(in: session).isEmpty)
        try handler.endOfHeaders(session)
        #expect(session.authResults.isEmpty)
    }

    // MARK: SPF upgrade detection (t/04-unit-handler-spfu.t, without DMARC)

    static let upgradeHeaders: [(String, String)] = [
        ("Received-SPF", "Fail (protection.outlook.com: domain of foobar.spfuvictim.com does not designate 23.26.253.8 as permitted sender) receiver=protection.outlook.com; client-ip=23.26.253.8; helo=fa83.windbound.org.uk;"),
        ("From", "Test <localpart@foobar.spfuvictim.com>"),
        ("Subject", "Test"),
    ]

    @Test func upgradeDetectionMitigates() throws {
        let handler = try Self.handler(#"{"spfu_detection": 1}"#)
        let session = Self.session(ip: "1.2.3.4", helo: "mx.example.com")
        try Self.run(handler, session, from: "<test@foobar.spfuvictim.com>", headers: Self.upgradeHeaders)
        #expect(handler.spfuDetected(in: session) && handler.dmarcResult(in: session) == "fail")
        #expect(session.authResults.map(\.sortKey) == [
            "spf=fail smtp.mailfrom=test@foobar.spfuvictim.com smtp.helo=mx.example.com (spf pass downgraded due to suspicious path)",
        ])
    }

    @Test func upgradeDetectionReports() throws {
        let handler = try Self.handler(#"{"spfu_detection": 2}"#)
        let session = Self.session(ip: "1.2.3.4", helo: "mx.example.com")
        try Self.run(handler, session, from: "<test@foobar.spfuvictim.com>", headers: Self.upgradeHeaders)
        #expect(handler.spfuDetected(in: session) && handler.dmarcResult(in: session) == "pass")
        #expect(session.authResults.map(\.sortKey) == [
            "spf=pass smtp.mailfrom=test@foobar.spfuvictim.com smtp.helo=mx.example.com (warning: aligned spf fail in history)",
        ])
    }

    @Test func upgradeDetectionNeedsAlignmentAndIsOffByDefault() throws {
        let off = try Self.handler()
        let session = Self.session(ip: "1.2.3.4", helo: "mx.example.com")
        try Self.run(off, session, from: "<test@foobar.spfuvictim.com>", headers: Self.upgradeHeaders)
        #expect(!off.spfuDetected(in: session) && session.authResults.first?.result == "pass")

        // Without DMARC's organisational domains, spfuvictim.com and
        // foobar.spfuvictim.com differ, as in Perl without DMARC loaded.
        let unaligned = try Self.handler(#"{"spfu_detection": 1}"#)
        let other = Self.session(ip: "1.2.3.4", helo: "mx.example.com")
        try Self.run(unaligned, other, from: "<test@foobar.spfuvictim.com>", headers: [
            ("ARC-Authentication-Results", "i=1; mx.microsoft.com 1; spf=fail smtp.mailfrom=spfuvictim.com"),
            ("From", "Test <localpart@foobar.spfuvictim.com>"),
        ])
        #expect(!unaligned.spfuDetected(in: other))

        // With an organisational-domain function (DMARC's), they align.
        let aligned = try Self.handler(#"{"spfu_detection": 1}"#)
        aligned.organizationalDomain = { $0.split(separator: ".").suffix(2).joined(separator: ".") }
        let third = Self.session(ip: "1.2.3.4", helo: "mx.example.com")
        try Self.run(aligned, third, from: "<test@foobar.spfuvictim.com>", headers: [
            ("ARC-Authentication-Results", "i=1; mx.microsoft.com 1; spf=fail smtp.mailfrom=spfuvictim.com"),
            ("From", "Test <localpart@foobar.spfuvictim.com>"),
        ])
        #expect(aligned.spfuDetected(in: third) && third.authResults.first?.result == "fail")
    }

    @Test func bestGuessRetriesAtTheOrganisationalDomain() throws {
        var zone = Self.zone
        zone.add("example.org", .txt("v=spf1 ip4:192.0.2.0/24 -all"))
        let handler = try Self.handler(#"{"best_guess": 1}"#)
        handler.organizationalDomain = { $0.split(separator: ".").suffix(2).joined(separator: ".") }
        let session = Self.session(ip: "192.0.2.8", helo: "mx.example.org", zone: zone)
        try Self.run(handler, session, from: "<a@sub.example.org>")
        #expect(handler.results(in: session).map(\.code) == [.none, .pass])
        #expect(session.authResults.map(\.sortKey) == [
            "spf=pass policy.authdomain=example.org smtp.mailfrom=a@sub.example.org smtp.helo=mx.example.org",
        ])

        // Without DMARC (no organisational domains) best_guess does nothing.
        let plain = try Self.handler(#"{"best_guess": 1}"#)
        let other = Self.session(ip: "192.0.2.8", helo: "mx.example.org", zone: zone)
        try Self.run(plain, other, from: "<a@sub.example.org>")
        #expect(plain.results(in: other).map(\.code) == [.none])
    }

    @Test func worksThroughTheDispatcher() throws {
        let harness = Harness(handlers: [try Self.handler()], resolver: Self.zone)
        harness.send(.optionNegotiation(version: 6, actions: .all, steps: .all))
        harness.send(.defineMacros(forCommand: UInt8(ascii: "C"), macros: [MilterMacro(name: "j", value: "mx.example.net")]))
        harness.send(.connect(hostname: "mail-we0-f171.google.com", family: .inet, port: 40000, address: "74.125.82.171"))
        harness.send(.helo("mail-we0-f171.google.com"))
        let replies = harness.sendMessage(from: "<marc@marcbradshaw.net>")
        #expect(replies.contains { reply in
            if case .insertHeader(_, let name, let value) = reply {
                return name == "Received-SPF" && value.hasPrefix("pass\n    (marcbradshaw.net: ") && value.contains("receiver=mx.example.net;")
            }
            return false
        })
        #expect(replies.contains { reply in
            if case .insertHeader(_, let name, let value) = reply {
                return name == "Authentication-Results" && value.contains("spf=pass smtp.mailfrom=marc@marcbradshaw.net")
            }
            return false
        })
    }
}
