import MailAuth
import Testing

/// Mail::BIMI's `_build_result` order: DMARC, enforcement of the From and
/// Organizational Domain policies, the record (with the fallback), the pass
/// headers.
@Suite struct BIMIEvaluatorTests {
    static func txt(_ text: String) -> DNSRecord { .txt([Array(text.utf8)]) }

    static func zone() -> InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        dns.add("default._bimi.brand.example", txt("v=BIMI1; l=https://brand.example/logo.svg; a=https://brand.example/vmc.pem"))
        dns.add("brand._bimi.brand.example", txt("v=BIMI1; l=https://brand.example/other.svg"))
        dns.add("default._bimi.two.example", [txt("v=BIMI1; l=https://two.example/a.svg"), txt("v=BIMI1; l=https://two.example/b.svg")])
        dns.add("default._bimi.declined.example", txt("v=BIMI1; l=;"))
        dns.add("default._bimi.spf.example", txt("v=spf1 -all"))
        dns.markServfail("default._bimi.broken.example")
        return dns
    }

    static func dmarc(_ domain: String, _ code: DMARCResultCode = .pass, _ policy: String? = "v=DMARC1; p=reject",
                      subdomain: Bool = false) -> DMARCResult {
        DMARCResult(fromDomain: domain, organizationalDomain: domain, code: code, record: policy.flatMap(DMARCRecord.init),
                    isSubdomain: subdomain)
    }

    static func evaluate(_ domain: String, selector: String = "default", org: String? = nil, dmarc: DMARCResult?,
                         orgPolicy: DMARCResult? = nil, options: BIMIOptions = BIMIOptions()) -> BIMIResult {
        BIMIEvaluator(resolver: zone(), options: options)
            .evaluate(domain: domain, selector: selector, organizationalDomain: org ?? domain, dmarc: dmarc,
                      organizationalDMARC: { orgPolicy })
    }

    static func text(_ result: BIMIResult) -> String { result.authResultsEntry.sortKey }

    @Test func passNamesTheLocationOnly() {
        let result = Self.evaluate("brand.example", dmarc: Self.dmarc("brand.example"))
        #expect(Self.text(result) == "bimi=pass header.d=brand.example header.selector=default")
        #expect(result.locationHeader == "v=BIMI1;\n    l=https://brand.example/logo.svg")
        #expect(result.indicatorHeader == nil)
    }

    @Test func aSelectorOfItsOwn() {
        let result = Self.evaluate("brand.example", selector: "brand", dmarc: Self.dmarc("brand.example"))
        #expect(Self.text(result) == "bimi=pass header.d=brand.example header.selector=brand")
        #expect(result.locationHeader == "v=BIMI1;\n    l=https://brand.example/other.svg")
    }

    @Test func aSubdomainFallsBackToItsOrganizationalDomainsDefaultRecord() {
        let result = Self.evaluate("mail.brand.example", selector: "nosuch", org: "brand.example",
                                   dmarc: Self.dmarc("mail.brand.example", subdomain: true),
                                   orgPolicy: Self.dmarc("brand.example"))
        #expect(Self.text(result) == "bimi=pass header.d=brand.example header.selector=default")
    }

    @Test(arguments: [
        ("v=DMARC1; p=none", false, "bimi=skipped (DMARC Policy is not at enforcement)"),
        ("v=DMARC1; p=quarantine; pct=50", false, "bimi=skipped (DMARC Policy is not at enforcement)"),
        ("v=DMARC1; p=reject; pct=50", false, "bimi=pass header.d=brand.example header.selector=default"),
        ("v=DMARC1; p=quarantine", false, "bimi=pass header.d=brand.example header.selector=default"),
        ("v=DMARC1; p=reject; sp=none", false, "bimi=skipped (DMARC Policy is not at enforcement)"),
        ("v=DMARC1; p=none; sp=reject", true, "bimi=pass header.d=brand.example header.selector=default"),
        ("v=DMARC1; p=reject; sp=quarantine; pct=10", true, "bimi=skipped (DMARC Policy is not at enforcement)"),
    ])
    func enforcement(_ policy: String, _ subdomain: Bool, _ expected: String) {
        let result = Self.evaluate("brand.example", dmarc: Self.dmarc("brand.example", .pass, policy, subdomain: subdomain))
        #expect(Self.text(result) == expected)
    }

    @Test func theOrganizationalDomainMustEnforceToo() {
        let lax = Self.evaluate("mail.brand.example", org: "brand.example", dmarc: Self.dmarc("mail.brand.example"),
                                orgPolicy: Self.dmarc("brand.example", .none, "v=DMARC1; p=none"))
        #expect(Self.text(lax) == "bimi=skipped (DMARC Policy is not at enforcement)")
        let missing = Self.evaluate("mail.brand.example", org: "brand.example", dmarc: Self.dmarc("mail.brand.example"),
                                    orgPolicy: Self.dmarc("brand.example", .none, nil))
        #expect(Self.text(missing) == "bimi=skipped (No DMARC)")
    }

    @Test func dmarcMustHaveBeenEvaluatedAndPassed() {
        #expect(Self.text(Self.evaluate("brand.example", dmarc: nil)) == "bimi=skipped (No DMARC)")
        #expect(Self.text(Self.evaluate("brand.example", dmarc: Self.dmarc("brand.example", .fail)))
            == "bimi=skipped (DMARC did not pass)")
    }

    @Test(arguments: [
        ("nothing.example", "bimi=none (No BIMI records found)"),
        ("spf.example", "bimi=none (No BIMI records found)"),
        ("two.example", "bimi=fail (Multiple BIMI records found)"),
        ("declined.example", "bimi=declined (Domain declined to participate)"),
        ("broken.example", "bimi=temperror (DNS query error)"),
    ])
    func records(_ domain: String, _ expected: String) {
        #expect(Self.text(Self.evaluate(domain, dmarc: Self.dmarc(domain))) == expected)
    }

    @Test func requireVMCFailsWithoutEvidenceValidation() {
        var options = BIMIOptions()
        options.requireVMC = true
        #expect(Self.text(Self.evaluate("brand.example", dmarc: Self.dmarc("brand.example"), options: options))
            == "bimi=fail (VMC is required)")
    }
}
