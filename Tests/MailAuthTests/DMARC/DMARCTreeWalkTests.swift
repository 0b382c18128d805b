import MailAuth
import TestSupport
import Testing

/// RFC 9989 (the default discovery, as the newest Mail::DMARC): the DNS
/// tree walk, `psd`, `t=y`, `np`, several records at one name, and the
/// Organizational Domain of each identifier for relaxed alignment
/// (section 4.10.2). Each case is chosen so that the RFC 7489 form (public
/// suffix list) gives another answer.
@Suite struct DMARCTreeWalkTests {
    static let psl = PublicSuffixList(text: "com\nnet\nexample\nwalk.example\n")

    static func evaluate(_ zone: some DNSResolver, from: String, spf: DMARCSPFInput? = nil,
                         dkim: [DMARCDKIMInput] = [], options: DMARCOptions = DMARCOptions()) -> DMARCResult {
        DMARCEvaluator(resolver: zone, publicSuffixList: psl, options: options)
            .evaluate(DMARCRequest(fromDomain: from, spf: spf, dkim: dkim))
    }

    @Test func theDefaultIsTheTreeWalkWithNp() {
        let options = DMARCOptions()
        #expect(options.discovery == .treeWalk && options.applyNonExistentDomainPolicy)
        #expect(options.discovery.reportWord == "treewalk" && DMARCOptions.rfc7489().discovery.reportWord == "psl")
    }

    @Test func policyFoundAboveTheOrganizationalDomainOfTheList() {
        // walk.example is a public suffix by the list: RFC 7489 asks
        // _dmarc.a.b.c.walk.example and _dmarc.c.walk.example only.
        var zone = InMemoryDNSResolver()
        zone.add("a.b.c.walk.example", .a("192.0.2.1"))
        zone.add("c.walk.example", .a("192.0.2.1"))
        zone.add("_dmarc.walk.example", .txt("v=DMARC1; p=reject"))
        let walked = Self.evaluate(zone, from: "a.b.c.walk.example")
        #expect(walked.code == .fail && walked.policyDomain == "walk.example" && walked.disposition == .reject)
        #expect(walked.authResultsEntry().sortKey == """
            dmarc=fail policy.published-domain-policy=reject policy.applied-disposition=reject \
            policy.evaluated-disposition=reject (p=reject,d=reject,d.eval=reject) policy.policy-from=p header.from=a.b.c.walk.example
            """)
        let listed = Self.evaluate(zone, from: "a.b.c.walk.example", options: .rfc7489())
        #expect(listed.code == .none && listed.reasonText == "no policy")
    }

    @Test func psdYMakesTheNameBelowTheOrganizationalDomain() {
        // _dmarc.example says psd=y: a public suffix operator's policy; the
        // Organizational Domain of x.shop.example is shop.example.
        var zone = InMemoryDNSResolver()
        zone.add("x.shop.example", .a("192.0.2.1"))
        zone.add("_dmarc.example", .txt("v=DMARC1; p=quarantine; psd=y"))
        let result = Self.evaluate(zone, from: "x.shop.example",
                                   dkim: [DMARCDKIMInput(domain: "mail.shop.example", selector: "s", result: "pass")])
        #expect(result.organizationalDomain == "shop.example" && result.code == .pass && result.dkimAlignment == .relaxed)
        // Another shop under the same suffix does not align.
        let other = Self.evaluate(zone, from: "x.shop.example",
                                  dkim: [DMARCDKIMInput(domain: "evil.example", selector: "s", result: "pass")])
        #expect(other.code == .fail && other.disposition == .quarantine && other.policyDomain == "example")
    }

    @Test func relaxedAlignmentUsesEachIdentifiersOwnWalk() {
        // RFC 9989 4.10.2: the DKIM domain's Organizational Domain comes
        // from its own walk: sub.example.com declares psd=n, so
        // x.sub.example.com belongs to sub.example.com, not example.com.
        var zone = InMemoryDNSResolver()
        zone.add("mail.example.com", .a("192.0.2.1"))
        zone.add("_dmarc.example.com", .txt("v=DMARC1; p=reject"))
        zone.add("_dmarc.sub.example.com", .txt("v=DMARC1; p=none; psd=n"))
        let dkim = [DMARCDKIMInput(domain: "x.sub.example.com", selector: "s", result: "pass")]
        let walked = Self.evaluate(zone, from: "mail.example.com", dkim: dkim)
        #expect(walked.organizationalDomain == "example.com" && walked.code == .fail && walked.disposition == .reject)
        let listed = Self.evaluate(zone, from: "mail.example.com", dkim: dkim, options: .rfc7489())
        #expect(listed.code == .pass && listed.dkimAlignment == .relaxed)
        // The same with SPF.
        let spf = Self.evaluate(zone, from: "mail.example.com", spf: DMARCSPFInput(domain: "b.sub.example.com", result: "pass"))
        #expect(spf.code == .fail)
    }

    @Test func testingModeLowersTheDisposition() {
        // RFC 9989 4.7 t=y: reject → quarantine, quarantine → none.
        var zone = InMemoryDNSResolver()
        zone.add("t.example.com", .a("192.0.2.1"))
        zone.add("q.example.com", .a("192.0.2.1"))
        zone.add("_dmarc.t.example.com", .txt("v=DMARC1; p=reject; t=y"))
        zone.add("_dmarc.q.example.com", .txt("v=DMARC1; p=quarantine; t=y"))
        let reject = Self.evaluate(zone, from: "t.example.com")
        #expect(reject.disposition == .quarantine
                && reject.reasons == [DMARCPolicyOverrideReason(type: .policyTestMode, comment: "policy testing mode (t=y)")])
        #expect(reject.authResultsEntry().sortKey == """
            dmarc=fail policy.published-domain-policy=reject policy.applied-disposition=quarantine \
            policy.evaluated-disposition=quarantine (p=reject,d=quarantine,d.eval=quarantine) policy.policy-from=p header.from=t.example.com
            """)
        #expect(Self.evaluate(zone, from: "q.example.com").disposition == .none)
        // RFC 7489 knows no t=: the policy applies in full.
        #expect(Self.evaluate(zone, from: "t.example.com", options: .rfc7489()).disposition == .reject)
    }

    @Test func pctIsIgnored() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .a("192.0.2.1"))
        zone.add("_dmarc.example.com", .txt("v=DMARC1; p=reject; pct=0"))
        #expect(Self.evaluate(zone, from: "example.com").disposition == .reject)
        #expect(Self.evaluate(zone, from: "example.com", options: .rfc7489(percentDraw: { 50 })).disposition == .quarantine)
    }

    @Test func nonExistentSubdomainPolicyByDefault() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .a("192.0.2.1"))
        zone.add("_dmarc.example.com", .txt("v=DMARC1; p=none; sp=quarantine; np=reject"))
        let ghost = Self.evaluate(zone, from: "ghost.example.com")
        #expect(ghost.disposition == .reject && ghost.policySource == .np)
        #expect(ghost.authResultsEntry().sortKey == """
            dmarc=fail policy.published-domain-policy=none policy.published-subdomain-policy=quarantine \
            policy.applied-disposition=reject policy.evaluated-disposition=reject \
            (p=none,sp=quarantine,d=reject,d.eval=reject) policy.policy-from=np header.from=ghost.example.com
            """)
    }

    @Test func severalRecordsAtANameAreDiscardedAndTheWalkGoesOn() {
        // RFC 9989 4.10 step 3 (Mail::DMARC 1.20260612): the two records at
        // the From domain are discarded; the walk finds example.com's.
        var zone = InMemoryDNSResolver()
        zone.add("mail.example.com", .a("192.0.2.1"))
        zone.add("_dmarc.mail.example.com", .txt("v=DMARC1; p=none"))
        zone.add("_dmarc.mail.example.com", .txt("v=DMARC1; p=none; t=y"))
        zone.add("_dmarc.example.com", .txt("v=DMARC1; p=reject; sp=quarantine"))
        let walked = Self.evaluate(zone, from: "mail.example.com")
        #expect(walked.policyDomain == "example.com" && walked.disposition == .quarantine)
        #expect(walked.authResultsEntry().sortKey == """
            dmarc=fail policy.published-domain-policy=reject policy.published-subdomain-policy=quarantine \
            policy.applied-disposition=quarantine policy.evaluated-disposition=quarantine \
            (p=reject,sp=quarantine,d=quarantine,d.eval=quarantine) policy.policy-from=sp header.from=mail.example.com
            """)
        // Nothing else on the way: no policy.
        var only = InMemoryDNSResolver()
        only.add("example.com", .a("192.0.2.1"))
        only.add("_dmarc.example.com", .txt("v=DMARC1; p=reject"))
        only.add("_dmarc.example.com", .txt("v=DMARC1; p=none"))
        let none = Self.evaluate(only, from: "example.com")
        #expect(none.code == .none && none.reasonText == "no policy (multiple DMARC records discarded)")
        #expect(none.authResultsEntry().sortKey == """
            dmarc=none policy.published-domain-policy=none policy.applied-disposition=none \
            policy.evaluated-disposition=none (p=none,d=none,d.eval=none) policy.policy-from=p header.from=example.com
            """)
        // RFC 7489: permerror.
        #expect(Self.evaluate(zone, from: "mail.example.com", options: .rfc7489()).authResultsEntry().sortKey
                == "dmarc=permerror (multiple DMARC records) header.from=mail.example.com")
    }
}
