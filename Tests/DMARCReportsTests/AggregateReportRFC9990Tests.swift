import DMARCReports
import Foundation
import MailAuth
import TestSupport
import Testing

/// The RFC 9990 form of our aggregate reports (the default `report_format`):
/// the exact document, and validation against RFC 9990's XML schema with
/// xmllint when a copy of the schema is on the machine.
@Suite struct AggregateReportRFC9990Tests {
    static let policy = DMARCReportPolicy(adkim: .relaxed, aspf: .relaxed, p: "reject", np: "quarantine", fo: "0",
                                          rua: "mailto:rua@sender.example", testing: false, discoveryMethod: "treewalk")

    /// Two records: a DKIM pass under p=reject (`pass`), and a failure
    /// lowered by `t=y` with a HELO-scope SPF result and an unknown selector.
    static func report() -> AggregateReport? {
        let rows = [
            ReportFixtures.row(1, arrival: 10, policy: policy),
            ReportFixtures.row(2, arrival: 20, policy: policy, sourceIP: "2001:db8::25", envelopeTo: nil,
                               disposition: .quarantine, dkimAligned: false, spfAligned: false,
                               reasons: [DMARCPolicyOverrideReason(type: .policyTestMode, comment: "policy testing mode (t=y)"),
                                         DMARCPolicyOverrideReason(type: .sampledOut)],
                               dkim: [DMARCDKIMInput(domain: "esp.example", result: "fail")],
                               spf: [DMARCSPFInput(domain: "mx.esp.example", scope: .helo, result: "pass")]),
        ]
        return ReportFixtures.report(rows, format: .rfc9990)
    }

    @Test func theDocumentIsRFC9990() throws {
        let report = try #require(Self.report())
        #expect(AggregateReportXML.document(report) == """
            <?xml version="1.0" encoding="UTF-8"?>
            <feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">
              <version>1.0</version>
              <report_metadata>
                <org_name>Example Mail Receiver</org_name>
                <email>dmarc-reports@receiver.example</email>
                <extra_contact_info>https://receiver.example/dmarc</extra_contact_info>
                <report_id>r-1700000000-sender</report_id>
                <date_range>
                  <begin>1699920000</begin>
                  <end>1700006399</end>
                </date_range>
                <generator>authmilter-swift dmarc_send_reports</generator>
              </report_metadata>
              <policy_published>
                <domain>sender.example</domain>
                <discovery_method>treewalk</discovery_method>
                <adkim>r</adkim>
                <aspf>r</aspf>
                <p>reject</p>
                <sp>reject</sp>
                <fo>0</fo>
                <np>quarantine</np>
                <testing>n</testing>
              </policy_published>
              <record>
                <row>
                  <source_ip>192.0.2.1</source_ip>
                  <count>1</count>
                  <policy_evaluated>
                    <disposition>pass</disposition>
                    <dkim>pass</dkim>
                    <spf>fail</spf>
                  </policy_evaluated>
                </row>
                <identifiers>
                  <envelope_to>receiver.example</envelope_to>
                  <envelope_from>bounce.sender.example</envelope_from>
                  <header_from>sender.example</header_from>
                </identifiers>
                <auth_results>
                  <dkim>
                    <domain>sender.example</domain>
                    <selector>s1</selector>
                    <result>pass</result>
                  </dkim>
                  <spf>
                    <domain>bounce.sender.example</domain>
                    <scope>mfrom</scope>
                    <result>pass</result>
                  </spf>
                </auth_results>
              </record>
              <record>
                <row>
                  <source_ip>2001:db8::25</source_ip>
                  <count>1</count>
                  <policy_evaluated>
                    <disposition>quarantine</disposition>
                    <dkim>fail</dkim>
                    <spf>fail</spf>
                    <reason>
                      <type>policy_test_mode</type>
                      <comment>policy testing mode (t=y)</comment>
                    </reason>
                    <reason>
                      <type>other</type>
                      <comment>sampled_out</comment>
                    </reason>
                  </policy_evaluated>
                </row>
                <identifiers>
                  <envelope_from>bounce.sender.example</envelope_from>
                  <header_from>sender.example</header_from>
                </identifiers>
                <auth_results>
                  <dkim>
                    <domain>esp.example</domain>
                    <selector></selector>
                    <result>fail</result>
                  </dkim>
                  <spf>
                    <domain>mx.esp.example</domain>
                    <result>pass</result>
                  </spf>
                </auth_results>
              </record>
            </feedback>

            """)
    }

    @Test func rowsWithoutTheRFC9990FieldsLeaveThemOut() throws {
        // A row stored before testing/discovery_method were kept.
        let old = DMARCReportPolicy(p: "none", rua: "mailto:rua@sender.example")
        let report = try #require(ReportFixtures.report([ReportFixtures.row(1, policy: old)], format: .rfc9990))
        let document = AggregateReportXML.document(report)
        #expect(!document.contains("<testing>") && !document.contains("<discovery_method>") && !document.contains("<pct>"))
        // p=none: a pass is not under an enforcing policy, so `none`.
        #expect(document.contains("<disposition>none</disposition>"))
    }

    @Test func theRFC7489FormHasNoRFC9990Elements() throws {
        let rows = [ReportFixtures.row(1, policy: Self.policy,
                                       reasons: [DMARCPolicyOverrideReason(type: .policyTestMode, comment: "t=y")])]
        let document = AggregateReportXML.document(try #require(ReportFixtures.report(rows, format: .rfc7489)))
        #expect(document.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback>\n"))
        for element in ["<generator>", "<testing>", "<discovery_method>"] { #expect(!document.contains(element)) }
        #expect(document.contains("<pct>100</pct>") && document.contains("<disposition>none</disposition>"))
        #expect(document.contains("<type>other</type>\n          <comment>policy_test_mode: t=y</comment>"))
    }

    @Test func reportFormatIsReadFromTheHandlerBlock() throws {
        #expect(AggregateReportFormat(configValue: "RFC7489") == .rfc7489)
        #expect(AggregateReportFormat(configValue: "rfc9990") == .rfc9990)
        #expect(AggregateReportFormat(configValue: "xml") == nil)
    }

    // MARK: Schema validation

    /// RFC 9990's schema (appendix A), a third-party text we do not keep in
    /// the repository: scripts/test.sh extracts a copy at test time and
    /// names it in AUTHMILTER_DMARC_XSD.
    static let schema: String? = {
        guard let path = ProcessInfo.processInfo.environment["AUTHMILTER_DMARC_XSD"],
              FileManager.default.isReadableFile(atPath: path) else { return nil }
        return path
    }()
    static let xmllint: String? = ["/usr/bin/xmllint", "/usr/local/bin/xmllint"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let skipReason: Comment = schema == nil
        ? "AUTHMILTER_DMARC_XSD names no readable copy of the RFC 9990 schema (scripts/test.sh extracts one)"
        : "xmllint is not installed (Debian libxml2-utils)"

    /// xmllint's verdict on `document` against the schema at `schema`.
    static func validate(_ document: String, schema: String, xmllint: String) throws -> (status: Int32, output: String) {
        let run = try ExternalCommand.run([xmllint, "--noout", "--nonet", "--schema", schema, "report.xml"],
                                          files: ["report.xml": Array(document.utf8)])
        return (run.status, run.output)
    }

    @Test(.enabled(if: schema != nil && xmllint != nil, skipReason))
    func ourReportsValidateAgainstTheRFC9990Schema() throws {
        let schema = try #require(Self.schema), xmllint = try #require(Self.xmllint)
        var reports = [try #require(Self.report())]
        // Hostile text, no SPF result, the null sender, several DKIM results.
        let hostile = "evil<from>&amp; ]]> \u{0}\u{1B}\r\n"
        reports.append(try #require(ReportFixtures.report([
            ReportFixtures.row(1, headerFrom: hostile, envelopeFrom: "", envelopeTo: nil,
                               reasons: [DMARCPolicyOverrideReason(type: .forwarded, comment: hostile)],
                               dkim: [DMARCDKIMInput(domain: hostile, selector: "", result: "invalid", humanResult: hostile),
                                      DMARCDKIMInput(domain: "b.example", selector: "s", result: "pass")],
                               spf: []),
        ], format: .rfc9990)))
        for report in reports {
            let verdict = try Self.validate(AggregateReportXML.document(report), schema: schema, xmllint: xmllint)
            #expect(verdict.status == 0, "\(verdict.output)")
        }
        // The check can fail: the RFC 7489 form is not RFC 9990.
        let old = try #require(ReportFixtures.report([ReportFixtures.row(1)], format: .rfc7489))
        #expect(try Self.validate(AggregateReportXML.document(old), schema: schema, xmllint: xmllint).status != 0)
    }
}
