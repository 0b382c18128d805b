import Config
@testable import Handlers
import MailAuth
import Testing

/// Reading trusted ARC-Authentication-Results for DMARC (Perl's
/// get_trusted_spf_results / get_trusted_dkim_results).
@Suite struct DMARCHandlerARCResultsTests {
    static func record(_ instance: Int, _ results: String) -> ARCAuthenticationResultsRecord {
        ARCAuthenticationResultsRecord(instance: instance, authservID: "mx.example", results: results,
                                       payload: "mx.example; " + results)
    }

    @Test func spfAndDKIMEntries() {
        let records = [
            Self.record(2, #"dkim=pass (2048-bit key) header.d=Example.COM header.i=@example.com header.s=s1 header.b="abc;d"; spf=fail smtp.mailfrom=b@other.example"#),
            Self.record(1, "spf=pass (sender ok) smtp.mailfrom=user@example.com smtp.helo=x; dkim=fail header.i=list@lists.example; dkim=pass header.d=a.example x-selector=x1; iprev=pass smtp.remote-ip=192.0.2.9; spf=pass smtp.helo=only"),
        ]
        #expect(DMARCARCResults.spf(records) == [
            DMARCSPFInput(domain: "example.com", scope: .mfrom, result: "pass"),
            DMARCSPFInput(domain: "other.example", scope: .mfrom, result: "fail"),
        ])
        #expect(DMARCARCResults.dkim(records) == [
            DMARCDKIMInput(domain: "lists.example", selector: "x-arc-chain", result: "fail", humanResult: "Trusted ARC entry"),
            DMARCDKIMInput(domain: "a.example", selector: "x1", result: "pass", humanResult: "Trusted ARC entry"),
            DMARCDKIMInput(domain: "example.com", selector: "s1", result: "pass", humanResult: "Trusted ARC entry"),
        ])
        #expect(DMARCARCResults.remoteIP(records[1]) == "192.0.2.9")
        #expect(DMARCARCResults.remoteIP(records[0]) == "")
        #expect(DMARCARCResults.entries("none").isEmpty)
    }

    @Test func whitelistEntries() {
        #expect(DMARCWhitelistEntry("dkim:Example.com") == .dkimDomain("example.com"))
        #expect(DMARCWhitelistEntry("spf:example.com") == .spfDomain("example.com"))
        #expect(DMARCWhitelistEntry("dnswl:ip:list.example") == .dnsListIP("list.example"))
        #expect(DMARCWhitelistEntry("dnswl:mx:list.example") == nil)
        #expect(DMARCWhitelistEntry("dkim:") == nil)
        #expect(DMARCWhitelistEntry("10.0.0.0/8") != nil)
        #expect(DMARCWhitelistEntry.reversed([192, 0, 2, 1]) == "1.2.0.192")
        #expect(DMARCWhitelistEntry.reversed([0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1])
            == "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2")
    }

    @Test func dnsListWhitelist() {
        var dns = InMemoryDNSResolver()
        dns.add("1.2.0.192.wl.example", .a("127.0.0.2"))
        dns.add("example.com.wl.example", .a("127.0.0.2"))
        let facts = DMARCWhitelistEntry.Facts(clientAddress: "192.0.2.1", spfPassDomain: "Example.com", dkimPassDomains: ["a.example"],
                                              resolver: dns)
        #expect(DMARCWhitelistEntry.dnsListIP("wl.example").matches(facts))
        #expect(DMARCWhitelistEntry.dnsListSPF("wl.example").matches(facts))
        #expect(!DMARCWhitelistEntry.dnsListDKIM("wl.example").matches(facts))
        #expect(DMARCWhitelistEntry.network(IPMapNetwork("192.0.2.0/24")!).matches(facts))
    }
}
