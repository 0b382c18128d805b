import MailAuth
import Testing

/// The `dmarc=` entry, byte for byte as the Perl handler writes it
/// (authentication_milter's t/data/example/*.eml and live headers).
@Suite struct DMARCAuthResultsTests {
    static let psl = PublicSuffixList(text: "com\nnet\n")

    static func result(_ record: String?, from: String, spf: DMARCSPFInput? = nil) -> DMARCResult {
        var zone = InMemoryDNSResolver()
        zone.add(from, .a("192.0.2.1"))
        if let record { zone.add("_dmarc." + from, .txt(record)) }
        return DMARCEvaluator(resolver: zone, publicSuffixList: psl).evaluate(DMARCRequest(fromDomain: from, spf: spf))
    }

    @Test func noPolicy() {
        // dmarc_multi_2.eml
        #expect(Self.result(nil, from: "example.com").authResultsEntry().sortKey == """
            dmarc=none policy.published-domain-policy=none policy.applied-disposition=none \
            policy.evaluated-disposition=none (p=none,d=none,d.eval=none) policy.policy-from=p header.from=example.com
            """)
    }

    @Test func failUnderPNone() {
        // google_apps_nodkim_spf_fail.eml
        let result = Self.result("v=DMARC1; p=none", from: "marcbradshaw.net",
                                 spf: DMARCSPFInput(domain: "marcbradshaw.net", result: "softfail"))
        #expect(result.authResultsEntry().sortKey == """
            dmarc=fail policy.published-domain-policy=none policy.applied-disposition=none \
            policy.evaluated-disposition=none (p=none,d=none,d.eval=none) policy.policy-from=p header.from=marcbradshaw.net
            """)
    }

    @Test func rejectOverriddenByLocalPolicy() {
        // dmarc_multi_2.eml: hard_reject off turns reject into quarantine.
        let result = Self.result("v=DMARC1; p=reject", from: "goestheweasel.com")
        #expect(result.disposition == .reject)
        let entry = result.authResultsEntry(DMARCEntryContext(appliedDisposition: .quarantine, overrideReason: "local_policy"))
        #expect(entry.sortKey == """
            dmarc=fail policy.published-domain-policy=reject policy.applied-disposition=quarantine \
            policy.evaluated-disposition=reject policy.override-reason=local_policy \
            (p=reject,d=quarantine,d.eval=reject,override=local_policy) policy.policy-from=p header.from=goestheweasel.com
            """)
    }

    @Test func passWithSubdomainPolicy() {
        // A live Fastmail header for gmail.com.
        let result = Self.result("v=DMARC1; p=none; sp=quarantine; rua=mailto:mailauth-reports@google.com", from: "gmail.com",
                                 spf: DMARCSPFInput(domain: "gmail.com", result: "pass"))
        #expect(result.authResultsEntry().sortKey == """
            dmarc=pass policy.published-domain-policy=none policy.published-subdomain-policy=quarantine \
            policy.applied-disposition=none policy.evaluated-disposition=none \
            (p=none,sp=quarantine,d=none,d.eval=none) policy.policy-from=p header.from=gmail.com
            """)
    }

    @Test func listAndARCParts() {
        let result = Self.result("v=DMARC1; p=reject", from: "example.net")
        let entry = result.authResultsEntry(DMARCEntryContext(appliedDisposition: DMARCPolicyAction.none, overrideReason: "mailing_list",
                                                              arcAwareResult: "fail", hasListID: true))
        #expect(entry.sortKey == """
            dmarc=fail policy.published-domain-policy=reject policy.applied-disposition=none \
            policy.evaluated-disposition=reject policy.override-reason=mailing_list policy.arc-aware-result=fail \
            (p=reject,has-list-id=yes,d=none,d.eval=reject,override=mailing_list,arc_aware_result=fail) \
            policy.policy-from=p header.from=example.net
            """)
    }

    @Test func policyFromSubdomainPolicy() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .a("192.0.2.1"))
        zone.add("_dmarc.example.com", .txt("v=DMARC1; p=reject; sp=none"))
        let result = DMARCEvaluator(resolver: zone, publicSuffixList: Self.psl).evaluate(DMARCRequest(fromDomain: "News.Example.com"))
        #expect(result.authResultsEntry().sortKey == """
            dmarc=fail policy.published-domain-policy=reject policy.published-subdomain-policy=none \
            policy.applied-disposition=none policy.evaluated-disposition=none \
            (p=reject,sp=none,d=none,d.eval=none) policy.policy-from=sp header.from=news.example.com
            """)
    }

    @Test func invalidPolicyShowsWhatWasApplied() {
        // Issue 11 item 9: `p=bogus` was shown as published. Such a record
        // counts as p=none with a valid rua (RFC 7489 6.6.3 step 6,
        // Mail::DMARC), or as no policy at all without: either way none
        // was applied, and the entry says p=none.
        let noRUA = Self.result("v=DMARC1; p=bogus", from: "example.com")
        #expect(noRUA.code == .none && noRUA.reasonText == "no valid rua")
        #expect(noRUA.authResultsEntry().sortKey == """
            dmarc=none policy.published-domain-policy=none policy.applied-disposition=none \
            policy.evaluated-disposition=none (p=none,d=none,d.eval=none) policy.policy-from=p header.from=example.com
            """)
        let withRUA = Self.result("v=DMARC1; p=bogus; sp=maybe; rua=mailto:d@example.com", from: "example.com")
        #expect(withRUA.code == .fail)
        #expect(withRUA.authResultsEntry().sortKey == """
            dmarc=fail policy.published-domain-policy=none policy.applied-disposition=none \
            policy.evaluated-disposition=none (p=none,d=none,d.eval=none) policy.policy-from=p header.from=example.com
            """)
        // An invalid sp without rua: the record is not applied at all.
        let badSP = Self.result("v=DMARC1; p=reject; sp=later", from: "example.com")
        #expect(badSP.code == .none && badSP.record?.requestedPolicyText == "reject")
        #expect(badSP.authResultsEntry().sortKey == """
            dmarc=none policy.published-domain-policy=none policy.applied-disposition=none \
            policy.evaluated-disposition=none (p=none,d=none,d.eval=none) policy.policy-from=p header.from=example.com
            """)
    }

    @Test func errors() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .a("192.0.2.1"))
        zone.markServfail("_dmarc.example.com")
        let evaluator = DMARCEvaluator(resolver: zone, publicSuffixList: Self.psl)
        #expect(evaluator.evaluate(DMARCRequest(fromDomain: "example.com")).authResultsEntry().sortKey
                == "dmarc=temperror header.from=example.com")
        #expect(evaluator.evaluate(DMARCRequest(fromDomain: "example.invalid")).authResultsEntry().sortKey
                == "dmarc=permerror (from header invalid) header.from=example.invalid")
    }

    @Test func perlSortOrder() {
        // dmarc_multi_2.eml's three entries, shuffled, come back in the Perl order.
        let reject = Self.result("v=DMARC1; p=reject", from: "goestheweasel.com")
            .authResultsEntry(DMARCEntryContext(appliedDisposition: .quarantine, overrideReason: "local_policy"))
        let failNone = Self.result("v=DMARC1; p=none", from: "marcbradshaw.net").authResultsEntry()
        let none = Self.result(nil, from: "example.com").authResultsEntry()
        let pass = Self.result("v=DMARC1; p=none", from: "pass.com", spf: DMARCSPFInput(domain: "pass.com", result: "pass")).authResultsEntry()
        let sorted = [pass, none, failNone, reject].sorted(by: DMARCResult.perlEntryOrder)
        #expect(sorted.map(\.sortKey) == [reject, failNone, none, pass].map(\.sortKey))
    }
}
