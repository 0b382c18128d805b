import MailAuth
import Testing

/// Record parsing (RFC 7489 section 6.3/6.4) with Mail::DMARC's leniency.
@Suite struct DMARCRecordTests {
    @Test func fullRecord() throws {
        let record = try #require(DMARCRecord(
            "v=DMARC1; p=Reject; sp=quarantine; np=reject; pct=50; adkim=s; aspf=s; "
            + "rua=mailto:agg@example.com!10m, mailto:other@example.net; ruf=mailto:f@example.com; "
            + "fo=1:d; rf=afrf; ri=3600; x-unknown=whatever"))
        #expect(record.requestedPolicy == .reject)
        #expect(record.requestedPolicyText == "reject")
        #expect(record.subdomainPolicy == .quarantine)
        #expect(record.nonExistentPolicy == .reject)
        #expect(record.percent == 50)
        #expect(record.dkimAlignment == .strict)
        #expect(record.spfAlignment == .strict)
        #expect(record.aggregateReportURIs == [DMARCReportURI(uri: "mailto:agg@example.com", maximumBytes: 10 << 20),
                                               DMARCReportURI(uri: "mailto:other@example.net")])
        #expect(record.failureReportURIs.map(\.uri) == ["mailto:f@example.com"])
        #expect(record.failureOptions == ["1", "d"])
        #expect(record.reportInterval == 3600)
        #expect(record.warnings.isEmpty)
    }

    @Test func defaults() throws {
        let record = try #require(DMARCRecord("v=DMARC1; p=none"))
        #expect(record.subdomainPolicyText == nil)
        #expect(record.percent == nil)
        #expect(record.dkimAlignment == .relaxed && record.spfAlignment == .relaxed)
        #expect(record.failureOptions == ["0"] && record.reportFormats == ["afrf"] && record.reportInterval == 86400)
        #expect(record.aggregateReportURIs.isEmpty)
    }

    @Test func versionMustComeFirst() {
        #expect(DMARCRecord("p=reject; v=DMARC1") == nil)
        #expect(DMARCRecord("v=DMARC10; p=reject") == nil)
        #expect(DMARCRecord("v=spf1 -all") == nil)
        #expect(DMARCRecord("") == nil)
        #expect(DMARCRecord("v = dmarc1 ;p=reject")?.requestedPolicy == .reject)
        #expect(DMARCRecord("v=DMARC1")?.requestedPolicyText == nil)
        #expect(DMARCRecord.isDMARCRecord("V=DMARC1;"))
    }

    @Test func lenientSyntax() throws {
        // Mail::DMARC: tag names case-insensitive, ':' for '=', empty values
        // and trailing or doubled ';' skipped, later duplicates win.
        let record = try #require(DMARCRecord("v=DMARC1;; P:quarantine ; ADKIM=s;pct=;p=reject;;"))
        #expect(record.requestedPolicy == .reject)
        #expect(record.dkimAlignment == .strict)
        #expect(record.percent == nil)
    }

    @Test func invalidOptionalValuesFallBackToDefaults() throws {
        let record = try #require(DMARCRecord("v=DMARC1; p=reject; pct=150; adkim=x; aspf=; fo=2; rf=xml; ri=-1; rua=notauri"))
        #expect(record.percent == nil)
        #expect(record.dkimAlignment == .relaxed)
        #expect(record.failureOptions == ["0"])
        #expect(record.reportFormats == ["afrf"])
        #expect(record.reportInterval == 86400)
        #expect(record.aggregateReportURIs.isEmpty)
        #expect(record.aggregateReportText == "notauri")
        #expect(record.warnings.count == 5)
    }

    @Test func invalidPolicyKeepsItsText() throws {
        let record = try #require(DMARCRecord("v=DMARC1; p=bogus; sp=Maybe"))
        #expect(record.requestedPolicy == nil)
        #expect(record.requestedPolicyText == "bogus")
        #expect(record.subdomainPolicyText == "maybe")
    }

    @Test func reportURIs() {
        #expect(DMARCReportURI(entry: " mailto:a@example.com!2k ") == DMARCReportURI(uri: "mailto:a@example.com", maximumBytes: 2048))
        #expect(DMARCReportURI(entry: "https://example.com/r")?.scheme == "https")
        #expect(DMARCReportURI(entry: "a@example.com") == nil)
        #expect(DMARCReportURI(entry: "mailto:a@example.com!x") == nil)
        #expect(DMARCReportURI(entry: "mailto:a@example.com!99999999999999999999t") == nil)
        #expect(DMARCReportURI(entry: "1mailto:x") == nil)
    }

    @Test func garbageNeverTraps() {
        let samples = ["v=DMARC1;" + String(repeating: ";=:", count: 5000), "v=DMARC1;" + String(repeating: "p=reject;", count: 900),
                       "v=DMARC1; rua=" + String(repeating: "mailto:a@b!,", count: 600), "v=DMARC1\u{0}; p=reject",
                       "v=DMARC1; p=\u{FFFD}\u{0}", String(repeating: "v=DMARC1;", count: 2000)]
        for sample in samples { _ = DMARCRecord(sample) }
        #expect(DMARCRecord(String(repeating: "v=DMARC1;", count: 2000)) == nil)  // over 8 KiB
    }
}
