import MailAuth
import Testing

@Suite struct DMARCReportRowJSONTests {
    static let row = DMARCReportRow(
        id: "0123456789abcdef0123456789abcdef", arrival: 1_764_000_000, policyDomain: "example.com",
        policy: DMARCReportPolicy(adkim: .strict, aspf: .relaxed, p: "quarantine", sp: nil, np: "reject", pct: 25, fo: "d:s",
                                  rua: "mailto:a@example.com!10m, mailto:b@x.example"),
        sourceIP: "2001:db8::1", headerFrom: "sub.example.com", envelopeFrom: "", envelopeTo: nil,
        disposition: .quarantine, dkimAligned: false, spfAligned: true,
        reasons: [DMARCPolicyOverrideReason(type: .mailingList, comment: "line\nbreak \"quoted\" \u{1}"),
                  DMARCPolicyOverrideReason(type: .other, comment: nil)],
        dkimResults: [DMARCDKIMInput(domain: "example.com", selector: "s", result: "fail", humanResult: nil)],
        spfResults: [DMARCSPFInput(domain: "helo.example", scope: .helo, result: "pass")])

    @Test func roundTripsEveryField() throws {
        let text = Self.row.jsonText
        #expect(!text.contains("\n"), "one row, one line: the journal relies on it")
        #expect(try DMARCReportRow(jsonText: text) == Self.row)
    }

    @Test func missingOrWrongFieldsAreNamed() {
        for (text, expected) in [
            ("[]", "expected an object"),
            ("{\"policy_published\":{}}", "adkim"),
            (Self.row.jsonText.replacingFirst("\"dkim\":\"fail\"", with: "\"dkim\":\"maybe\""), "dkim"),
            (Self.row.jsonText.replacingFirst("0123456789abcdef0123456789abcdef", with: "../../etc"), "id"),
            (Self.row.jsonText.replacingFirst("\"pct\":25", with: "\"pct\":250"), "pct"),
        ] {
            do {
                _ = try DMARCReportRow(jsonText: text)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.description.contains(expected), "\(error) for \(text)")
            }
        }
    }

    @Test func rfc9990FieldsRoundTripAndOldRowsStayReadable() throws {
        var row = Self.row
        row.policy.testing = true
        row.policy.discoveryMethod = "treewalk"
        row.reasons.append(DMARCPolicyOverrideReason(type: .policyTestMode, comment: "policy testing mode (t=y)"))
        let text = row.jsonText
        #expect(text.contains(#""testing":"y""#) && text.contains(#""discovery_method":"treewalk""#))
        #expect(try DMARCReportRow(jsonText: text) == row)
        // A row journaled or stored before the fields existed (Self.row has
        // neither) decodes with both absent.
        #expect(!Self.row.jsonText.contains("testing") && !Self.row.jsonText.contains("discovery_method"))
        let old = try DMARCReportRow(jsonText: Self.row.jsonText)
        #expect(old.policy.testing == nil && old.policy.discoveryMethod == nil)
        for bad in [text.replacingFirst(#""testing":"y""#, with: #""testing":"maybe""#),
                    text.replacingFirst(#""discovery_method":"treewalk""#, with: #""discovery_method":"guess""#)] {
            #expect(throws: DMARCReportRow.DecodingError.self) { try DMARCReportRow(jsonText: bad) }
        }
    }

    @Test func fromAResultWithoutMailtoRuaNoRowIsMade() throws {
        let record = try #require(DMARCRecord("v=DMARC1; p=reject; rua=https://example.com/r"))
        let result = DMARCResult(fromDomain: "example.com", organizationalDomain: "example.com", code: .fail, record: record,
                                 policyDomain: "example.com")
        #expect(DMARCReportRow(result: result, id: Self.row.id, arrival: 1, sourceIP: "192.0.2.1", envelopeFrom: "",
                               envelopeTo: nil, appliedDisposition: .none) == nil)
        let mailto = try #require(DMARCRecord("v=DMARC1; p=reject; adkim=s; rua=mailto:r@example.com"))
        var withMailto = result
        withMailto.record = mailto
        let row = try #require(DMARCReportRow(result: withMailto, id: Self.row.id, arrival: 1, sourceIP: "192.0.2.1",
                                              envelopeFrom: "e.example", envelopeTo: "to.example", appliedDisposition: .quarantine))
        #expect(row.policy.p == "reject")
        #expect(row.policy.adkim == .strict)
        #expect(row.policy.rua == "mailto:r@example.com")
        #expect(row.disposition == .quarantine)
    }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = self.firstRange(of: target) else { return self }
        return self.replacingCharacters(in: range, with: replacement)
    }
}
