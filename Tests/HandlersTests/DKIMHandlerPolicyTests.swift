import Handlers
import JSON
import MailAuth
import TestSupport
import Testing

/// The signing policies the DKIM handler reports with `check_adsp` (on by
/// default): ADSP, SSP and DomainKeys', found and applied as Mail::DKIM
/// does, and the error entries when a lookup fails.
@Suite(.requiresConformanceData(.dkim)) struct DKIMHandlerPolicyTests {
    typealias Data = DKIMHandlerTestData

    static func message(from: String = "Test User <test@example.com>", sender: String? = nil) -> [UInt8] {
        var text = "Message-ID: <policy@example.com>\r\nDate: Mon, 01 Jan 2011 01:02:03 +0400\r\nFrom: \(from)\r\n"
        if let sender { text += "Sender: \(sender)\r\n" }
        text += "To: somebody@example.com\r\nSubject: Testing\r\n\r\nThis is a test message.\r\n"
        return Array(text.utf8)
    }

    /// `message` signed by `domain` (selector test); `tampered` breaks it.
    static func signed(_ message: [UInt8] = message(), by domain: String = "example.com",
                       tampered: Bool = false) throws -> [UInt8] {
        let signed = try Data.signed(message, key: Data.rsaKey(), domain: domain)
        return tampered ? signed + Array("tampered\r\n".utf8) : signed
    }

    /// The test keys, example.com existing, plus `records` (name, TXT).
    static func zone(_ records: [(String, String)] = []) throws -> InMemoryDNSResolver {
        var dns = try Data.zone()
        dns.add("example.com", .a("192.0.2.1"))
        for (name, text) in records { dns.add(name, .txt(text)) }
        return dns
    }

    /// The policy entries (and policy errors) only: what follows the
    /// signature entries.
    static func policyEntries(_ message: [UInt8], zone: InMemoryDNSResolver, config: String = "{}",
                              prepare: (MailSession) -> Void = { _ in }) throws -> [String] {
        let session = MailSession(resolver: zone)
        prepare(session)
        try Data.run(DKIMHandler(config: JSONParser.parse(config)), session, message: message)
        return Data.entries(session).filter { !$0.hasPrefix("dkim=pass") && !$0.hasPrefix("dkim=fail") }
    }

    @Test func adspDiscardableWithoutAuthorSignature() throws {
        let zone = try Self.zone([("_adsp._domainkey.example.com", "dkim=discardable")])
        #expect(try Self.policyEntries(Self.signed(tampered: true), zone: zone) == ["dkim-adsp=discard (ADSP policy from example.com)"])
        #expect(try Self.policyEntries(Self.signed(), zone: zone) == ["dkim-adsp=pass (ADSP policy from example.com)"])
        // A third party's passing signature is not the author's.
        #expect(try Self.policyEntries(Self.signed(by: "football.example.com"), zone: zone)
                    == ["dkim-adsp=discard (ADSP policy from example.com)"])
    }

    @Test func adspAllAndUnknownAreUnknownWithoutAuthorSignature() throws {
        for record in ["dkim=all", "dkim=unknown", "t=y"] {
            let zone = try Self.zone([("_adsp._domainkey.example.com", record)])
            #expect(try Self.policyEntries(Self.signed(by: "football.example.com"), zone: zone)
                        == ["dkim-adsp=unknown (ADSP policy from example.com)"], "\(record)")
        }
    }

    @Test func impliedPoliciesOnlyWithShowDefaultADSP() throws {
        let zone = try Self.zone()
        #expect(try Self.policyEntries(Self.signed(), zone: zone) == [])
        #expect(try Self.policyEntries(Self.signed(), zone: zone, config: #"{"show_default_adsp": 1}"#) == [
            "x-dkim-dkssp=pass (default sender policy)",
            "x-dkim-ssp=pass (default author policy)",
            "dkim-adsp=pass (default ADSP policy)",
        ])
        #expect(try Self.policyEntries(Self.signed(tampered: true), zone: zone,
                                       config: #"{"show_default_adsp": 1, "hide_domainkeys": 1}"#) == [
            "x-dkim-ssp=unknown (default author policy)",
            "dkim-adsp=unknown (default ADSP policy)",
        ])
    }

    @Test func adspForAnAuthorDomainThatDoesNotExist() throws {
        // No ADSP record and no such domain (MX lookup NXDOMAIN): ADSP's
        // NXDOMAIN policy, which is no default and has no location.
        let message = Self.message(from: "Someone <someone@nowhere.example>")
        #expect(try Self.policyEntries(Self.signed(message), zone: Self.zone()) == ["dkim-adsp=unknown (ADSP policy)"])
        var zone = try Self.zone()
        zone.markServfail("_adsp._domainkey.nowhere.example", type: .txt)
        #expect(try Self.policyEntries(Self.signed(message), zone: zone) == ["dkim-adsp=unknown (ADSP policy)"])
    }

    @Test func oneADSPPolicyPerFromAddress() throws {
        let message = Self.message(from: "a@example.com, b@football.example.com")
        let zone = try Self.zone([("_adsp._domainkey.example.com", "dkim=all"),
                                  ("_adsp._domainkey.football.example.com", "dkim=discardable")])
        // The first-party test compares the FIRST author's domain, for
        // every author's policy (Mail::DKIM's message_originator).
        #expect(try Self.policyEntries(Self.signed(message), zone: zone) == [
            "dkim-adsp=pass (ADSP policy from example.com)",
            "dkim-adsp=pass (ADSP policy from football.example.com)",
        ])
        #expect(try Self.policyEntries(Self.signed(message, by: "football.example.com"), zone: zone) == [
            "dkim-adsp=unknown (ADSP policy from example.com)",
            "dkim-adsp=discard (ADSP policy from football.example.com)",
        ])
    }

    @Test func domainKeysSenderPolicy() throws {
        let zone = try Self.zone([("_domainkey.example.com", "o=-")])
        #expect(try Self.policyEntries(Self.signed(tampered: true), zone: zone) == ["x-dkim-dkssp=discard (sender policy from example.com)"])
        #expect(try Self.policyEntries(Self.signed(), zone: zone) == ["x-dkim-dkssp=pass (sender policy from example.com)"])
        #expect(try Self.policyEntries(Self.signed(tampered: true), zone: zone, config: #"{"hide_domainkeys": 1}"#) == [])
        let testing = try Self.zone([("_domainkey.example.com", "o=-; t=y")])
        #expect(try Self.policyEntries(Self.signed(tampered: true), zone: testing) == ["x-dkim-dkssp=unknown (sender policy from example.com)"])
        // The sender policy is the Sender's domain's, when there is one.
        let list = try Self.zone([("_domainkey.lists.example.org", "o=-")])
        let message = Self.message(sender: "Some List <list@lists.example.org>")
        #expect(try Self.policyEntries(Self.signed(message), zone: list) == ["x-dkim-dkssp=discard (sender policy from lists.example.org)"])
    }

    @Test func sspAuthorPolicy() throws {
        let strict = try Self.zone([("_policy._domainkey.example.com", "dkim=strict")])
        #expect(try Self.policyEntries(Self.signed(by: "football.example.com"), zone: strict)
                    == ["x-dkim-ssp=discard (author policy from example.com)"])
        let all = try Self.zone([("_policy._domainkey.example.com", "dkim=all")])
        // "all" is met by any passing signature.
        #expect(try Self.policyEntries(Self.signed(by: "football.example.com"), zone: all)
                    == ["x-dkim-ssp=pass (author policy from example.com)"])
        #expect(try Self.policyEntries(Self.signed(tampered: true), zone: all) == ["x-dkim-ssp=discard (author policy from example.com)"])
    }

    @Test func brokenRecords() throws {
        // A DomainKeys or SSP record that does not parse is left out; a
        // broken ADSP record ends the policy step with a permerror.
        let legacy = try Self.zone([("_domainkey.example.com", "o=-; junk"), ("_policy._domainkey.example.com", ";dkim=all")])
        #expect(try Self.policyEntries(Self.signed(tampered: true), zone: legacy) == [])
        let adsp = try Self.zone([("_adsp._domainkey.example.com", "dkim"), ("_domainkey.example.com", "o=-")])
        #expect(try Self.policyEntries(Self.signed(tampered: true), zone: adsp) == ["dkim=permerror (syntax or domain error)"])
        // Trailing semicolons and spaces are fine.
        let spaced = try Self.zone([("_adsp._domainkey.example.com", " dkim = discardable ;;")])
        #expect(try Self.policyEntries(Self.signed(tampered: true), zone: spaced) == ["dkim-adsp=discard (ADSP policy from example.com)"])
        // An author address without a domain.
        #expect(try Self.policyEntries(Self.signed(Self.message(from: "Someone <someone@>")), zone: Self.zone())
                    == ["dkim=permerror (syntax or domain error)"])
    }

    @Test func lookupErrors() throws {
        let message = try Self.signed()
        var servfail = try Self.zone()
        servfail.markServfail("_adsp._domainkey.example.com", type: .txt)
        #expect(try Self.policyEntries(message, zone: servfail) == ["dkim=temperror (dns servfail)"])
        var timeout = try Self.zone()
        timeout.markTimeout("_adsp._domainkey.example.com", type: .txt)
        #expect(try Self.policyEntries(message, zone: timeout) == ["dkim=temperror (dns timeout)"])
        // The existence check fails too.
        var mx = try Self.zone()
        mx.markTimeout("example.com", type: .mx)
        #expect(try Self.policyEntries(message, zone: mx) == ["dkim=temperror (dns timeout)"])
        // Legacy policy lookups that fail are left out.
        var legacy = try Self.zone()
        legacy.markServfail("_domainkey.example.com", type: .txt)
        legacy.markTimeout("_policy._domainkey.example.com", type: .txt)
        #expect(try Self.policyEntries(message, zone: legacy) == [])
        // Anything else is unexpected: a bare temperror, and a handler
        // error (tempfail_on_error decides).
        var refused = try Self.zone()
        refused.set(.error("REFUSED"), for: "_adsp._domainkey.example.com", type: .txt)
        let session = MailSession(resolver: refused)
        #expect(throws: (any Error).self) {
            try Data.run(DKIMHandler(config: JSONParser.parse("{}")), session, message: message)
        }
        #expect(Data.entries(session).last == "dkim=temperror")
    }

    @Test func notForLocalTrustedOrAuthenticatedClients() throws {
        let zone = try Self.zone([("_adsp._domainkey.example.com", "dkim=discardable")])
        let message = try Self.signed(tampered: true)
        #expect(try Self.policyEntries(message, zone: zone) { $0.isLocalIP = true } == [])
        #expect(try Self.policyEntries(message, zone: zone) { $0.isTrustedIP = true } == [])
        #expect(try Self.policyEntries(message, zone: zone) { $0.isAuthenticated = true } == [])
        #expect(try Self.policyEntries(message, zone: zone, config: #"{"check_adsp": 0}"#) == [])
        // adsp_hide_none hides nothing: a policy result is never "none".
        #expect(try Self.policyEntries(message, zone: zone, config: #"{"adsp_hide_none": 1}"#)
                    == ["dkim-adsp=discard (ADSP policy from example.com)"])
    }
}
