import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// The ARC handler's `arc=` entry for messages without a chain, with a
/// chain we sealed, and with one broken on the way.
@Suite struct ARCHandlerTests {
    typealias Support = ARCHandlerTestSupport

    @Test func defaults() throws {
        #expect(ARCHandler.configKeys == ["hide_none", "arcseal_domain", "arcseal_selector", "arcseal_algorithm", "arcseal_key",
                                          "arcseal_keyfile", "arcseal_headers", "trusted_domains", "rbl_whitelist", "no_strict"])
        let handler = try ARCHandler(config: JSONParser.parse(ARCHandler.defaultConfigJSON))
        #expect(!handler.hideNone && !handler.noStrict && !handler.seals && handler.trustedDomains.isEmpty)
        #expect(handler.sealingKey == nil)
        #expect(ARCHandler.dependencyNames == ["DKIM"])
        #expect(ARCHandler.helpText.contains("arcseal_keyfile"))
    }

    @Test func noARCFieldsIsNone() throws {
        let hop = Support.hop([try Support.handler()], authservID: "mx.example.net", headers: Support.headers,
                              resolver: InMemoryDNSResolver())
        #expect(Support.entries(hop.authResults) == ["arc=none (no signatures found)"])
        // Nothing is sealed without a sealing configuration.
        #expect(!hop.headers.contains { $0.0.hasPrefix("ARC-") })
    }

    @Test func hideNoneWritesNothing() throws {
        let handler = try Support.handler(extra: #""hide_none": 1"#)
        let hop = Support.hop([handler], authservID: "mx.example.net", headers: Support.headers, resolver: InMemoryDNSResolver())
        #expect(Support.entries(hop.authResults) == ["none"])
        // The verification is still there for DMARC (read before the reset).
        let session = MailSession(resolver: InMemoryDNSResolver())
        try Support.Data.run(handler, session, message: Support.message(Support.headers))
        #expect(session.authResults.isEmpty)
        #expect(handler.verification(in: session) == ARCVerifierResult(status: .none))
    }

    @Test func sealedChainPassesTheNextHop() throws {
        let dns = try Support.zone()
        let first = Support.hop([try Support.handler(sealingAs: "example.com")], authservID: "mx1.example.com",
                                headers: Support.headers, resolver: dns)
        #expect(first.headers.prefix(4).map(\.0) == ["ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results",
                                                     "Authentication-Results"])
        #expect(first.headers[2].1 == "i=1; mx1.example.com;\n\tarc=none (no signatures found)")
        #expect(first.headers[0].1.hasPrefix("a=rsa-sha256; b="))
        #expect(first.headers[0].1.contains("cv=none; d=example.com; i=1; s=arc; t=1577836800"))

        let second = Support.hop([try Support.handler()], authservID: "mx2.example.net", headers: first.headers, resolver: dns)
        #expect(Support.entries(second.authResults) == [
            "arc=pass (as.1.example.com=pass, ams.1.example.com=pass) smtp.remote-ip=192.0.2.1",
        ])

        // The same message handed to the handler directly: the result stays
        // readable for DMARC until the message is reset.
        let handler = try Support.handler()
        let session = MailSession(resolver: dns)
        session.remoteIP = "192.0.2.1"
        try Support.Data.run(handler, session, message: Support.message(first.headers), chunkSize: 5)
        let verification = try #require(handler.verification(in: session))
        #expect(verification.status == .pass && verification.oldestPass == 0 && verification.instanceCount == 1)
        #expect(verification.sealDomain(instance: 1) == "example.com")
        #expect(verification.authenticationResults(instance: 1)?.authservID == "mx1.example.com")
        #expect(verification.authenticationResults(instance: 1)?.results == "arc=none (no signatures found)")
        #expect(Support.Data.entries(session) == [
            "arc=pass (as.1.example.com=pass, ams.1.example.com=pass) smtp.remote-ip=192.0.2.1",
        ])
        session.resetMessage()
        #expect(handler.verification(in: session) == nil)
    }

    /// An IPv6 client is written as Perl's `ip_address()` writes it since
    /// 3.20250611 (Net::IP `short()`).
    @Test func ipv6ClientIsWrittenCompressed() throws {
        let handler = try Support.handler()
        let session = MailSession(resolver: InMemoryDNSResolver())
        session.remoteIP = "2001:0DB8:0000:0000:0000:0000:0000:0025"
        let dns = try Support.zone()
        let first = Support.hop([try Support.handler(sealingAs: "example.com")], authservID: "mx1.example.com",
                                headers: Support.headers, resolver: dns)
        let sealed = MailSession(resolver: dns)
        sealed.remoteIP = session.remoteIP
        try Support.Data.run(handler, sealed, message: Support.message(first.headers))
        #expect(Support.Data.entries(sealed) == [
            "arc=pass (as.1.example.com=pass, ams.1.example.com=pass) smtp.remote-ip=2001:db8::25",
        ])
    }

    @Test func threeHops() throws {
        let dns = try Support.zone()
        var headers = Support.headers
        for (domain, id) in [("example.com", "mx1.example.com"), ("forwarder.example", "mx.forwarder.example")] {
            headers = Support.hop([try Support.handler(sealingAs: domain)], authservID: id, headers: headers, resolver: dns).headers
        }
        #expect(headers[2].1.hasPrefix("i=2; mx.forwarder.example;\n\tarc=pass (as.1.example.com=pass, "
                                       + "ams.1.example.com=pass) smtp.remote-ip=192.0.2.1"))
        #expect(headers[0].1.contains("cv=pass; d=forwarder.example; i=2;"))
        let last = Support.hop([try Support.handler()], authservID: "mx.example.net", headers: headers, resolver: dns)
        #expect(Support.entries(last.authResults) == [
            "arc=pass (as.2.forwarder.example=pass, ams.2.forwarder.example=pass, as.1.example.com=pass, "
                + "ams.1.example.com=pass) smtp.remote-ip=192.0.2.1",
        ])
    }

    @Test func tamperedBodyFails() throws {
        let dns = try Support.zone()
        let first = Support.hop([try Support.handler(sealingAs: "example.com")], authservID: "mx1.example.com",
                                headers: Support.headers, resolver: dns)
        let second = Support.hop([try Support.handler()], authservID: "mx2.example.net", headers: first.headers,
                                 body: Support.body + "Added by a list.\r\n", resolver: dns)
        #expect(Support.entries(second.authResults) == [
            "arc=fail (as.1.example.com=pass, ams.1.example.com=fail (body has been altered)) smtp.remote-ip=192.0.2.1",
        ])
    }

    @Test func brokenStructureGivesTheReason() throws {
        let headers = [("ARC-Seal", "i=2; a=rsa-sha256; cv=none; d=example.com; s=arc; t=1; b=AAAA")] + Support.headers
        let hop = Support.hop([try Support.handler()], authservID: "mx.example.net", headers: headers,
                              resolver: InMemoryDNSResolver())
        let entries = Support.entries(hop.authResults)
        #expect(entries.count == 1)
        #expect(entries.first?.hasPrefix("arc=fail (") == true)
        #expect(entries.first?.hasSuffix(") smtp.remote-ip=192.0.2.1") == true)
    }
}
