import Config
@testable import Handlers
import MailAuth
import Milter
import TestSupport
import Testing

/// The DMARC keys added since the manual that consult DNS lists:
/// `policy_rbl_lookup` (A-R properties on a pass), `report_suppression_list`
/// and `report_suppression_email_list` (report rows kept back).
@Suite struct DMARCHandlerPolicyListTests {
    typealias Support = DMARCHandlerTestSupport

    static let lookups = #"""
        {"policy_rbl_lookup": {
            "verified": {"rbl": "verified.test", "results": {"127.0.0.2": "yes", "*": "other"}},
            "brand": {"rbl": "brand.test", "results": {"127.0.0.3": "gold"}}
        }}
        """#

    static func zone(listing: [(String, String)] = []) throws -> InMemoryDNSResolver {
        var dns = try Support.zone()
        for (name, address) in listing { dns.add(name, .a(address)) }
        return dns
    }

    @Test func aPassGetsOnePropertyPerListedLookupInNameOrder() throws {
        // example.com is in one list only.
        let dns = try Self.zone(listing: [("example.com.verified.test", "127.0.0.2")])
        let out = try Support.run(Support.handlers(Self.lookups), headers: Support.from("u@example.com"), resolver: dns)
        #expect(out.dmarc == ["""
            dmarc=pass policy.published-domain-policy=reject policy.published-subdomain-policy=quarantine \
            policy.applied-disposition=none policy.evaluated-disposition=none (p=reject,sp=quarantine,d=none,d.eval=none) \
            policy.policy-from=p policy.verified=yes header.from=example.com
            """])
        // brand.test answers an address with no value and has no "*":
        // Perl's default, pass.
        let unmapped = try Self.zone(listing: [("example.com.verified.test", "127.0.0.2"), ("example.com.brand.test", "127.0.0.9")])
        let out3 = try Support.run(Support.handlers(Self.lookups), headers: Support.from("u@example.com"), resolver: unmapped)
        #expect(out3.dmarc.first?.contains(" policy.policy-from=p policy.brand=pass policy.verified=yes header.from=example.com") == true)
        let both = try Self.zone(listing: [("example.com.verified.test", "127.0.0.7"), ("example.com.brand.test", "127.0.0.3")])
        let out2 = try Support.run(Support.handlers(Self.lookups), headers: Support.from("u@example.com"), resolver: both)
        #expect(out2.dmarc == ["""
            dmarc=pass policy.published-domain-policy=reject policy.published-subdomain-policy=quarantine \
            policy.applied-disposition=none policy.evaluated-disposition=none (p=reject,sp=quarantine,d=none,d.eval=none) \
            policy.policy-from=p policy.brand=gold policy.verified=other header.from=example.com
            """])
    }

    @Test func theFromDomainIsLookedUpAndOnlyForAPass() throws {
        let dns = try Self.zone(listing: [("example.com.verified.test", "127.0.0.2"), ("reject.example.verified.test", "127.0.0.2"),
                                          ("mail.example.com", "198.51.100.10")])
        // A subdomain's mail (SPF for example.com, relaxed alignment): the
        // From domain itself is looked up ("lookup the from domain"), and
        // only its Organizational Domain is listed: nothing.
        let sub = try Support.run(Support.handlers(Self.lookups), headers: Support.from("u@mail.example.com"), resolver: dns)
        #expect(sub.dmarc.first?.hasPrefix("dmarc=pass ") == true)
        #expect(sub.dmarc.first?.contains("policy.verified") == false)
        // A failure gets nothing, listed or not.
        let fail = try Support.run(Support.handlers(Self.lookups), from: "<b@reject.example>",
                                   headers: Support.from("u@reject.example"), resolver: dns)
        #expect(fail.dmarc == ["""
            dmarc=fail policy.published-domain-policy=reject policy.applied-disposition=quarantine \
            policy.evaluated-disposition=reject policy.override-reason=local_policy \
            (p=reject,d=quarantine,d.eval=reject,override=local_policy) policy.policy-from=p header.from=reject.example
            """])
    }

    @Test func badLookupConfigurationStopsStartUp() {
        for config in [#"{"policy_rbl_lookup": {"x y": {"rbl": "a.test"}}}"#,
                       #"{"policy_rbl_lookup": {"ok": {"results": {}}}}"#,
                       #"{"policy_rbl_lookup": {"ok": {"rbl": "a.test", "results": {"*": "a;b"}}}}"#,
                       #"{"policy_rbl_lookup": ["a"]}"#,
                       #"{"report_suppression_list": "bad zone"}"#] {
            #expect(throws: ConfigurationError.self, "\(config)") {
                try DMARCHandler(config: Support.node(config), publicSuffixList: Support.psl)
            }
        }
    }

    // MARK: Report suppression

    final class Collected { var rows: [DMARCReportRow] = [] }

    static func rows(_ config: String, from: String, listing: [(String, String)]) throws -> [DMARCReportRow] {
        var dns = try DMARCHandlerReportRowTests.zone()
        dns.add("_dmarc.two.example", DKIMHandlerTestData.txt("v=DMARC1; p=none; rua=mailto:agg+x@two.example,https://two.example/r,mailto:other@two.example"))
        dns.add("two.example", .a("198.51.100.10"))
        for (name, address) in listing { dns.add(name, .a(address)) }
        let harness = Harness(handlers: try Support.handlers(config), resolver: dns)
        let collected = Collected()
        harness.session.reportRowSink = { collected.rows.append($0) }
        harness.openConnection()
        harness.sendMessage(from: "<bounce@\(from)>", to: "<rcpt@example.net>", headers: Support.from("User <u@\(from)>"))
        return collected.rows
    }

    @Test func aListedOrganizationalDomainIsNotReported() throws {
        let config = #"{"report_suppression_list": "suppressed.test"}"#
        #expect(try Self.rows(config, from: "report.example", listing: [("report.example.suppressed.test", "127.0.0.2")]).isEmpty)
        #expect(try Self.rows(config, from: "report.example", listing: []).count == 1)
    }

    @Test func listedReportAddressesAreTakenOut() throws {
        let config = #"{"report_suppression_email_list": "hbl.test"}"#
        // sha1("agg@report.example"): its only address is listed, no row.
        #expect(DMARCReportSuppression.hashedAddress("mailto:agg@report.example") == "e6a246d6c7c1436200995419ac671bc5678d04eb")
        #expect(try Self.rows(config, from: "report.example",
                              listing: [("e6a246d6c7c1436200995419ac671bc5678d04eb.hbl.test", "127.0.0.2")]).isEmpty)
        // agg+x@two.example is looked up as sha1("agg@two.example"); the
        // other entries stay, as published.
        let rows = try Self.rows(config, from: "two.example",
                                 listing: [("25474f3fd8e7a169a1d3095174283285cef71d2a.hbl.test", "127.0.0.2")])
        #expect(rows.map(\.policy.rua) == ["https://two.example/r,mailto:other@two.example"])
        // Nothing listed: the rua as published.
        #expect(try Self.rows(config, from: "two.example", listing: []).map(\.policy.rua)
                == ["mailto:agg+x@two.example,https://two.example/r,mailto:other@two.example"])
    }
}
