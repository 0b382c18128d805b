import Config
import Handlers
import MailAuth
import Milter
import TestSupport
import Testing

/// The rows the DMARC handler hands to the spool for aggregate reports.
@Suite struct DMARCHandlerReportRowTests {
    typealias Support = DMARCHandlerTestSupport

    final class Collected { var rows: [DMARCReportRow] = [] }

    /// A zone where example.com and reject.example ask for reports.
    static func zone() throws -> InMemoryDNSResolver {
        var dns = try Support.zone()
        dns.add("_dmarc.report.example", DKIMHandlerTestData.txt("v=DMARC1; p=reject; pct=50; adkim=s; rua=mailto:agg@report.example!10m"))
        dns.add("report.example", .a("198.51.100.10"))
        dns.add("report.example", DKIMHandlerTestData.txt("v=spf1 -all"))
        dns.add("_dmarc.web.example", DKIMHandlerTestData.txt("v=DMARC1; p=none; rua=https://web.example/r"))
        dns.add("web.example", .a("198.51.100.10"))
        return dns
    }

    static func rows(_ config: String = "{}", from: String, to: String = "<rcpt@example.net>", draw: Int = 0,
                     address: String = "192.0.2.1") throws -> [DMARCReportRow] {
        let harness = Harness(handlers: try Support.handlers(config, draw: draw), resolver: try zone())
        let collected = Collected()
        harness.session.reportRowSink = { collected.rows.append($0) }
        harness.openConnection(address: address)
        harness.sendMessage(from: "<bounce@\(from)>", to: to, headers: Support.from("User <u@\(from)>"))
        return collected.rows
    }

    @Test func aFailingMessageGivesOneRowWithThePublishedPolicy() throws {
        let rows = try Self.rows(from: "report.example", draw: 10)
        try #require(rows.count == 1)
        let row = rows[0]
        #expect(row.policyDomain == "report.example")
        #expect(row.headerFrom == "report.example")
        #expect(row.envelopeFrom == "report.example")
        #expect(row.envelopeTo == "example.net")
        #expect(row.sourceIP == "192.0.2.1")
        #expect(row.policy.p == "reject" && row.policy.pct == 50 && row.policy.adkim == .strict)
        #expect(row.policy.rua == "mailto:agg@report.example!10m")
        #expect(!row.dkimAligned && !row.spfAligned)
        // p=reject without hard_reject: the applied disposition is the
        // local one (quarantine) with the local_policy reason.
        #expect(row.disposition == .quarantine)
        #expect(row.reasons.contains { $0.type == .localPolicy })
        #expect(row.spfResults == [DMARCSPFInput(domain: "report.example", scope: .mfrom, result: "fail")])
        #expect(row.id.count == 32)
    }

    /// Perl hands Mail::DMARC its `ip_address()`, Net::IP's `short()` since
    /// 3.20250611: an IPv6 client is compressed, whatever form the MTA sent.
    @Test func anIPv6SourceIsWrittenInItsShortForm() throws {
        let rows = try Self.rows(from: "report.example", address: "2001:DB8:0:0:0:0:0:25")
        #expect(rows.map(\.sourceIP) == ["2001:db8::25"])
    }

    @Test func eachMessageGetsItsOwnID() throws {
        let first = try Self.rows(from: "report.example")
        let second = try Self.rows(from: "report.example")
        #expect(first.count == 1 && second.count == 1)
        #expect(first.first?.id != second.first?.id)
    }

    @Test func noRowWithoutAMailtoRuaOrWithoutARecord() throws {
        #expect(try Self.rows(from: "web.example").isEmpty)
        #expect(try Self.rows(from: "nopolicy.example").isEmpty)
        #expect(try Self.rows(from: "reject.example").isEmpty, "a record without rua asks for no report")
    }

    @Test func noReportReportSkipToAndHideReportTo() throws {
        #expect(try Self.rows(#"{"no_report": 1}"#, from: "report.example").isEmpty)
        #expect(try Self.rows(#"{"report_skip_to": ["dmarc@example.net"]}"#, from: "report.example",
                              to: "<DMARC@example.net>").isEmpty)
        #expect(try Self.rows(#"{"report_skip_to": ["dmarc@example.net"]}"#, from: "report.example").count == 1)
        let hidden = try Self.rows(#"{"hide_report_to": 1}"#, from: "report.example")
        #expect(hidden.count == 1 && hidden.first?.envelopeTo == nil)
    }

    @Test func theReportKeysAreKnownAndDiscoveryIsChecked() throws {
        for key in DMARCHandlerReportKeys.all { #expect(DMARCHandler.configKeys.contains(key), "\(key)") }
        // The help text names the discovery RFCs (RFC 9989 is the default).
        #expect(DMARCHandler.helpText.contains(#""discovery"          : "rfc9989",              | RFC 9989 DNS tree walk"#))
        #expect(DMARCHandler.helpText.contains(#"or "rfc7489": public suffix list and pct"#))
        let bis = try DMARCHandler(config: Support.node(#"{"discovery": "dmarcbis"}"#), publicSuffixList: Support.psl)
        #expect(bis.options.discovery == .treeWalk && bis.options.applyNonExistentDomainPolicy)
        // The default follows the newest Mail::DMARC: RFC 9989.
        let byDefault = try DMARCHandler(config: Support.node("{}"), publicSuffixList: Support.psl)
        #expect(byDefault.options.discovery == .treeWalk && byDefault.options.applyNonExistentDomainPolicy)
        let noNP = try DMARCHandler(config: Support.node(#"{"np_policy": 0}"#), publicSuffixList: Support.psl)
        #expect(noNP.options.discovery == .treeWalk && !noNP.options.applyNonExistentDomainPolicy)
        for name in ["rfc7489", "psl"] {
            let classic = try DMARCHandler(config: Support.node(#"{"np_policy": 1, "discovery": "\#(name)"}"#),
                                           publicSuffixList: Support.psl)
            #expect(classic.options.discovery == .rfc7489 && classic.options.applyNonExistentDomainPolicy)
        }
        for name in ["rfc9989", "treewalk", "RFC9989"] {
            let walk = try DMARCHandler(config: Support.node(#"{"discovery": "\#(name)"}"#), publicSuffixList: Support.psl)
            #expect(walk.options.discovery == .treeWalk)
        }
        #expect(throws: ConfigurationError.self) {
            try DMARCHandler(config: Support.node(#"{"discovery": "guess"}"#), publicSuffixList: Support.psl)
        }
    }
}

enum DMARCHandlerReportKeys {
    static let all = ["discovery", "np_policy", "report_store", "report_store_user", "report_store_pass", "report_org_name",
                      "report_org_email", "report_org_domain", "report_extra_contact_info", "report_smarthost",
                      "report_format", "policy_rbl_lookup", "report_suppression_list", "report_suppression_email_list"]
}
