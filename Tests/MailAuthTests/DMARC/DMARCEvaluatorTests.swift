import MailAuth
import TestSupport
import Testing

/// Evaluation over an in-memory zone: alignment, policies, sampling,
/// discovery, errors. Most tests are about the RFC 7489 form (public
/// suffix list, `pct`), which the helper selects; the RFC 9989 tree walk
/// (the default) has its own section and `DMARCTreeWalkTests`.
@Suite struct DMARCEvaluatorTests {
    static let psl = PublicSuffixList(text: "com\nnet\norg\nuk\nco.uk\n*.ck\n!www.ck\n")


    /// example.com with the given record, an A record for every host used.
    static func zone(_ record: String? = "v=DMARC1; p=reject") -> InMemoryDNSResolver {
        var zone = InMemoryDNSResolver()
        for host in ["example.com", "mail.example.com", "sub.example.com", "example.net", "example.co.uk"] {
            zone.add(host, .a("192.0.2.1"))
        }
        if let record { zone.add("_dmarc.example.com", .txt(record)) }
        return zone
    }

    static func evaluate(_ zone: some DNSResolver, from: String = "example.com", spf: DMARCSPFInput? = nil,
                         dkim: [DMARCDKIMInput] = [], options: DMARCOptions = .rfc7489()) -> DMARCResult {
        DMARCEvaluator(resolver: zone, publicSuffixList: psl, options: options)
            .evaluate(DMARCRequest(fromDomain: from, spf: spf, dkim: dkim))
    }

    static func draw(_ value: Int) -> DMARCOptions { .rfc7489(percentDraw: { value }) }

    // MARK: Pass

    @Test func passViaSPFStrictAndRelaxed() {
        let strict = Self.evaluate(Self.zone(), spf: DMARCSPFInput(domain: "Example.com", result: "pass"))
        #expect(strict.code == .pass && strict.spfAligned && strict.spfAlignment == .strict && !strict.dkimAligned)
        #expect(strict.disposition == .none)
        let relaxed = Self.evaluate(Self.zone(), spf: DMARCSPFInput(domain: "bounce.example.com", result: "pass"))
        #expect(relaxed.code == .pass && relaxed.spfAlignment == .relaxed)
        #expect(relaxed.alignedSPF?.domain == "bounce.example.com")
    }

    @Test func passViaDKIM() {
        let result = Self.evaluate(Self.zone(), spf: DMARCSPFInput(domain: "other.net", result: "pass"),
                                   dkim: [DMARCDKIMInput(domain: "other.net", selector: "a", result: "pass"),
                                          DMARCDKIMInput(domain: "mail.example.com", selector: "b", result: "pass"),
                                          DMARCDKIMInput(domain: "example.com", selector: "c", result: "pass")])
        #expect(result.code == .pass)
        #expect(result.dkimAligned && result.dkimAlignment == .strict && result.alignedDKIM?.selector == "c")
        #expect(!result.spfAligned)
    }

    @Test func failingSignaturesAndSPFDoNotAlign() {
        let result = Self.evaluate(Self.zone(), spf: DMARCSPFInput(domain: "example.com", result: "softfail"),
                                   dkim: [DMARCDKIMInput(domain: "example.com", result: "fail")])
        #expect(result.code == .fail && result.disposition == .reject && result.policySource == .p)
    }

    @Test func strictAlignmentRefusesSubdomains() {
        let zone = Self.zone("v=DMARC1; p=quarantine; adkim=s; aspf=s")
        let result = Self.evaluate(zone, spf: DMARCSPFInput(domain: "bounce.example.com", result: "pass"),
                                   dkim: [DMARCDKIMInput(domain: "mail.example.com", result: "pass")])
        #expect(result.code == .fail && result.disposition == .quarantine)
        let exact = Self.evaluate(zone, dkim: [DMARCDKIMInput(domain: "example.com", result: "pass")])
        #expect(exact.code == .pass)
    }

    @Test func heloScopeCountsUnderRFC7489Only() {
        let spf = DMARCSPFInput(domain: "mail.example.com", scope: .helo, result: "pass")
        #expect(Self.evaluate(Self.zone(), spf: spf).code == .pass)
        #expect(Self.evaluate(Self.zone(), spf: spf, options: DMARCOptions(discovery: .treeWalk)).code == .fail)
    }

    // MARK: Policies

    @Test(arguments: [("none", DMARCPolicyAction.none), ("quarantine", .quarantine), ("reject", .reject)])
    func failWithEachPolicy(policy: String, disposition: DMARCPolicyAction) {
        let result = Self.evaluate(Self.zone("v=DMARC1; p=\(policy)"), spf: DMARCSPFInput(domain: "evil.net", result: "pass"))
        #expect(result.code == .fail)
        #expect(result.disposition == disposition)
        #expect(result.record?.requestedPolicy == disposition)
        #expect(result.policyDomain == "example.com")
    }

    @Test func pctSampling() {
        let zone = Self.zone("v=DMARC1; p=reject; pct=30")
        let applied = Self.evaluate(zone, options: Self.draw(29))
        #expect(applied.disposition == .reject && applied.reasons.isEmpty)
        let sampledOut = Self.evaluate(zone, options: Self.draw(30))
        #expect(sampledOut.disposition == .quarantine)
        #expect(sampledOut.reasons == [DMARCPolicyOverrideReason(type: .sampledOut)])
        let quarantine = Self.evaluate(Self.zone("v=DMARC1; p=quarantine; pct=0"), options: Self.draw(0))
        #expect(quarantine.disposition == .none)
        #expect(Self.evaluate(Self.zone("v=DMARC1; p=reject; pct=100"), options: Self.draw(99)).disposition == .reject)
        // The tree walk (RFC 9989) ignores pct.
        #expect(Self.evaluate(zone, options: DMARCOptions(discovery: .treeWalk, percentDraw: { 99 })).disposition == .reject)
    }

    @Test func subdomainPolicyAndOrgDomainFallback() {
        let zone = Self.zone("v=DMARC1; p=reject; sp=quarantine")
        let sub = Self.evaluate(zone, from: "mail.example.com")
        #expect(sub.code == .fail && sub.disposition == .quarantine && sub.policySource == .sp)
        #expect(sub.isSubdomain && sub.policyDomain == "example.com" && sub.organizationalDomain == "example.com")
        let top = Self.evaluate(zone, from: "example.com")
        #expect(top.disposition == .reject && top.policySource == .p && !top.isSubdomain)
        // Without sp the subdomain gets p.
        #expect(Self.evaluate(Self.zone(), from: "mail.example.com").disposition == .reject)
    }

    @Test func ownRecordOfASubdomainWins() {
        var zone = Self.zone("v=DMARC1; p=reject; sp=reject")
        zone.add("_dmarc.mail.example.com", .txt("v=DMARC1; p=none"))
        let result = Self.evaluate(zone, from: "mail.example.com")
        #expect(result.code == .fail && result.disposition == .none && result.policyDomain == "mail.example.com")
        #expect(!result.isSubdomain)
    }

    @Test func nonExistentSubdomainPolicy() {
        let zone = Self.zone("v=DMARC1; p=none; sp=quarantine; np=reject")
        // Off by default: np is ignored.
        #expect(Self.evaluate(zone, from: "ghost.example.com").disposition == .quarantine)
        let options = DMARCOptions(applyNonExistentDomainPolicy: true)
        let ghost = Self.evaluate(zone, from: "ghost.example.com", options: options)
        #expect(ghost.disposition == .reject && ghost.policySource == .np)
        let real = Self.evaluate(zone, from: "mail.example.com", options: options)
        #expect(real.disposition == .quarantine && real.policySource == .sp)
    }

    // MARK: No policy, errors

    @Test func noRecordIsNone() {
        let result = Self.evaluate(Self.zone(nil), spf: DMARCSPFInput(domain: "example.com", result: "pass"))
        #expect(result.code == .none && result.record == nil && result.reasonText == "no policy")
    }

    @Test func otherTXTRecordsAreIgnored() {
        var zone = Self.zone(nil)
        zone.add("_dmarc.example.com", .txt("v=spf1 -all"))
        zone.add("_dmarc.example.com", .txt("v=DMARC1; p=quarantine"))
        #expect(Self.evaluate(zone).disposition == .quarantine)
    }

    @Test func multipleRecordsArePermerrorUnderRFC7489() {
        // Perl HEAD (after v4.20260319): "Return permerror for domains with
        // multiple DMARC records" (RFC 7489 section 6.6.3 step 5: no policy).
        var zone = Self.zone("v=DMARC1; p=reject")
        zone.add("_dmarc.example.com", .txt("v=DMARC1; p=none"))
        let result = Self.evaluate(zone)
        #expect(result.code == .permerror && result.reasonText == "multiple DMARC records")
        #expect(result.authResultsEntry().sortKey == "dmarc=permerror (multiple DMARC records) header.from=example.com")
        // Several at the From domain stop discovery: the org record is not used.
        var sub = Self.zone("v=DMARC1; p=reject")
        sub.add("_dmarc.mail.example.com", .txt("v=DMARC1; p=none"))
        sub.add("_dmarc.mail.example.com", .txt("v=DMARC1; p=none; pct=5"))
        #expect(Self.evaluate(sub, from: "mail.example.com").code == .permerror)
    }

    @Test func stringsOfOneRecordAreJoined() {
        var zone = Self.zone(nil)
        zone.add("_dmarc.example.com", .txt("v=DMARC1; p=rej", "ect"))
        #expect(Self.evaluate(zone).disposition == .reject)
    }

    @Test func temperror() {
        var zone = Self.zone(nil)
        zone.markServfail("_dmarc.example.com")
        #expect(Self.evaluate(zone).code == .temperror)
        var orgFails = Self.zone(nil)
        orgFails.markTimeout("_dmarc.example.com")
        let sub = Self.evaluate(orgFails, from: "mail.example.com")
        #expect(sub.code == .temperror)
        // A record at the From domain is enough even when the org lookup fails.
        var fromHasIt = Self.zone(nil)
        fromHasIt.add("_dmarc.mail.example.com", .txt("v=DMARC1; p=quarantine"))
        fromHasIt.markTimeout("_dmarc.example.com")
        #expect(Self.evaluate(fromHasIt, from: "mail.example.com").disposition == .quarantine)
    }

    @Test func malformedRecords() {
        // Invalid p without rua: no policy. With a valid rua: p=none.
        #expect(Self.evaluate(Self.zone("v=DMARC1; p=bogus")).code == .none)
        #expect(Self.evaluate(Self.zone("v=DMARC1; p=bogus")).reasonText == "no valid rua")
        #expect(Self.evaluate(Self.zone("v=DMARC1")).code == .none)
        let withRUA = Self.evaluate(Self.zone("v=DMARC1; p=bogus; rua=mailto:d@example.com"))
        #expect(withRUA.code == .fail && withRUA.disposition == .none && withRUA.publishedPolicy == "none")
        let badSP = Self.evaluate(Self.zone("v=DMARC1; p=reject; sp=maybe"), from: "mail.example.com")
        #expect(badSP.code == .none)
        // Broken optional tags take their defaults.
        let broken = Self.evaluate(Self.zone("v=DMARC1; p=reject; adkim=q; pct=abc"),
                                   dkim: [DMARCDKIMInput(domain: "mail.example.com", result: "pass")], options: Self.draw(99))
        #expect(broken.code == .pass && broken.dkimAlignment == .relaxed)
        #expect(Self.evaluate(Self.zone("v=DMARC1; p=reject; pct=abc"), options: Self.draw(99)).disposition == .reject)
    }

    @Test func invalidFromDomainIsPermerror() {
        for from in ["", "localhost", "example.invalid", "exa mple.com", "-bad.com", "a..com", "[192.0.2.1]"] {
            let result = Self.evaluate(Self.zone(), from: from)
            #expect(result.code == .permerror, "\(from)")
        }
    }

    @Test func domainNotInDNSIsNone() {
        let result = Self.evaluate(Self.zone(), from: "nowhere.net")
        #expect(result.code == .none && result.reasonText == "nowhere.net not in DNS")
        // A subdomain counts as existing when its org domain exists.
        #expect(Self.evaluate(Self.zone(), from: "ghost.example.com").code == .fail)
        var failing = InMemoryDNSResolver()
        failing.markServfail("example.org")
        #expect(Self.evaluate(failing, from: "example.org").code == .temperror)
        #expect(Self.evaluate(Self.zone(), from: "nowhere.net", options: DMARCOptions(checkDomainExistence: false)).code == .none)
    }

    @Test func oneBatchPerCheck() {
        let resolver = RecordingResolver(Self.zone())
        _ = Self.evaluate(resolver, from: "mail.example.com", dkim: [DMARCDKIMInput(domain: "example.com", result: "pass")])
        #expect(resolver.batches.count == 1)
        #expect(resolver.batches[0].count == 10)   // 2 _dmarc + 2 x (MX, NS, A, AAAA)
    }

    @Test func multipleFromDomainsAreEvaluatedOnceEachSorted() {
        var zone = Self.zone()
        zone.add("_dmarc.example.net", .txt("v=DMARC1; p=none"))
        let results = DMARCEvaluator(resolver: zone, publicSuffixList: Self.psl)
            .evaluate(fromDomains: ["example.net", "EXAMPLE.com", "example.net"], spf: [], dkim: [])
        #expect(results.map(\.fromDomain) == ["example.com", "example.net"])
        #expect(results.map(\.disposition) == [.reject, .none])
    }

    // MARK: Tree walk (RFC 9989)

    @Test func treeWalk() {
        var zone = Self.zone(nil)
        zone.add("a.b.c.d.e.f.g.h.i.example.com", .a("192.0.2.2"))
        zone.add("_dmarc.example.com", .txt("v=DMARC1; p=reject; sp=quarantine; psd=n"))
        zone.add("_dmarc.b.c.d.e.f.g.h.i.example.com", .txt("v=DMARC1; p=none"))
        let options = DMARCOptions(discovery: .treeWalk)
        // The first record found from the bottom is the policy.
        let deep = Self.evaluate(zone, from: "a.b.c.d.e.f.g.h.i.example.com", options: options)
        // b.c.d...example.com is skipped: from 11 labels the walk jumps to 7.
        #expect(deep.code == .fail && deep.policyDomain == "example.com" && deep.disposition == .quarantine)
        let sub = Self.evaluate(zone, from: "mail.example.com", options: options)
        #expect(sub.policyDomain == "example.com" && sub.disposition == .quarantine && sub.organizationalDomain == "example.com")
        #expect(DMARCEvaluator(resolver: zone, publicSuffixList: Self.psl).treeWalkOrganizationalDomain(of: "x.mail.example.com") == "example.com")
        // testing mode lowers the disposition.
        var testing = Self.zone("v=DMARC1; p=reject; t=y")
        testing.add("x.example.com", .a("192.0.2.3"))
        let t = Self.evaluate(testing, options: options)
        #expect(t.disposition == .quarantine && t.reasonText == "policy testing mode (t=y)")
    }

    @Test func treeWalkTargets() {
        var zone = Self.zone(nil)
        zone.add("_dmarc.example.com", .txt("v=DMARC1; p=reject"))
        let resolver = RecordingResolver(zone)
        _ = Self.evaluate(resolver, from: "a.b.c.d.e.f.g.h.i.example.com",
                          options: DMARCOptions(discovery: .treeWalk, applyNonExistentDomainPolicy: false,
                                                checkDomainExistence: false))
        let names = resolver.batches[0].map(\.name)
        #expect(names == ["_dmarc.a.b.c.d.e.f.g.h.i.example.com", "_dmarc.e.f.g.h.i.example.com",
                          "_dmarc.f.g.h.i.example.com", "_dmarc.g.h.i.example.com",
                          "_dmarc.h.i.example.com", "_dmarc.i.example.com", "_dmarc.example.com", "_dmarc.com"])
    }

    // MARK: Bounded work

    @Test func garbageNeverTraps() {
        let zone = Self.zone()
        let dkim = (0..<1000).map { DMARCDKIMInput(domain: "d\($0).example.com", result: $0 % 2 == 0 ? "pass" : "fail") }
        let inputs = [String(repeating: "a.", count: 50_000) + "com", String(repeating: "ü", count: 5000) + ".com",
                      "\u{0}", "example.com.", "@example.com", "xn--.com"]
        for from in inputs {
            _ = Self.evaluate(zone, from: from, spf: DMARCSPFInput(domain: from, result: "pass"), dkim: dkim)
            _ = Self.evaluate(zone, from: from, options: DMARCOptions(discovery: .treeWalk))
        }
        let many = Self.evaluate(zone, dkim: dkim, options: DMARCOptions(discovery: .treeWalk))
        #expect(many.code == .pass && many.dkimAlignment == .relaxed)
    }
}
