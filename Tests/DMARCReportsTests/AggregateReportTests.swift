import DMARCReports
import MailAuth
import Testing

/// Rows and reporters shared by the aggregate report tests.
enum ReportFixtures {
    static let reporter = DMARCReporter(orgName: "Example Mail Receiver", email: "dmarc-reports@receiver.example",
                                        domain: "receiver.example", extraContactInfo: "https://receiver.example/dmarc")

    static let policy = DMARCReportPolicy(adkim: .relaxed, aspf: .strict, p: "quarantine", fo: "1",
                                          rua: "mailto:rua@sender.example")

    /// 32 lowercase hex digits from a small number, so ids sort like the number.
    static func id(_ number: Int) -> String {
        let hex = String(number, radix: 16)
        return String(repeating: "0", count: 32 - hex.count) + hex
    }

    static func row(_ number: Int, arrival: Int64 = 1_700_000_000, policyDomain: String = "sender.example",
                    policy: DMARCReportPolicy = policy, sourceIP: String = "192.0.2.1",
                    headerFrom: String = "sender.example", envelopeFrom: String = "bounce.sender.example",
                    envelopeTo: String? = "receiver.example", disposition: DMARCPolicyAction = .none,
                    dkimAligned: Bool = true, spfAligned: Bool = false, reasons: [DMARCPolicyOverrideReason] = [],
                    dkim: [DMARCDKIMInput] = [DMARCDKIMInput(domain: "sender.example", selector: "s1", result: "pass")],
                    spf: [DMARCSPFInput] = [DMARCSPFInput(domain: "bounce.sender.example", result: "pass")]) -> DMARCReportRow {
        DMARCReportRow(id: id(number), arrival: arrival, policyDomain: policyDomain, policy: policy, sourceIP: sourceIP,
                       headerFrom: headerFrom, envelopeFrom: envelopeFrom, envelopeTo: envelopeTo,
                       disposition: disposition, dkimAligned: dkimAligned, spfAligned: spfAligned, reasons: reasons,
                       dkimResults: dkim, spfResults: spf)
    }

    /// The report of `rows`; RFC 7489 XML unless asked (the tests written
    /// for that form keep it; `AggregateReportRFC9990Tests` asks for 9990).
    static func report(_ rows: [DMARCReportRow], policyDomain: String = "sender.example",
                       reportID: String = "r-1700000000-sender",
                       format: AggregateReportFormat = .rfc7489) -> AggregateReport? {
        AggregateReport(reporter: reporter, reportID: reportID, begin: 1_699_920_000, end: 1_700_006_399,
                        policyDomain: policyDomain, rows: rows, format: format)
    }
}

@Suite struct AggregateReportTests {
    @Test func groupsRowsByLowercasedPolicyDomain() {
        let rows = [
            ReportFixtures.row(1, policyDomain: "a.example"),
            ReportFixtures.row(2, policyDomain: "B.example"),
            ReportFixtures.row(3, policyDomain: "b.example"),
            ReportFixtures.row(4, policyDomain: "a.example"),
        ]
        let groups = AggregateReport.group(rows: rows)
        #expect(groups.keys.sorted() == ["a.example", "b.example"])
        #expect(groups["a.example"]?.map(\.id) == [ReportFixtures.id(1), ReportFixtures.id(4)])
        #expect(groups["b.example"]?.map(\.id) == [ReportFixtures.id(2), ReportFixtures.id(3)])
    }

    @Test func identicalRowsCollapseIntoOneCountedRecord() throws {
        // Same content, different id, arrival and policy: one record.
        let rows = [
            ReportFixtures.row(1, arrival: 100),
            ReportFixtures.row(2, arrival: 200, policy: DMARCReportPolicy(p: "reject", rua: "mailto:x@sender.example")),
            ReportFixtures.row(3, arrival: 300),
            ReportFixtures.row(4, arrival: 150, sourceIP: "2001:db8::1"),
        ]
        let report = try #require(ReportFixtures.report(rows))
        #expect(report.records.count == 2)
        #expect(report.records.map(\.count) == [3, 1])
        #expect(report.records.map(\.sourceIP) == ["192.0.2.1", "2001:db8::1"])
        #expect(report.messageCount == 4)
        #expect(report.records[0] == AggregateReportRecord(row: rows[0]).with(count: 3))
    }

    /// The second row of a pair, changed in one reported field.
    static func changed(_ field: String) -> DMARCReportRow {
        var row = ReportFixtures.row(2, arrival: 200)
        switch field {
        case "source": row.sourceIP = "192.0.2.99"
        case "header from": row.headerFrom = "other.sender.example"
        case "envelope from": row.envelopeFrom = ""
        case "envelope to": row.envelopeTo = nil
        case "disposition": row.disposition = .quarantine
        case "dkim alignment": row.dkimAligned = false
        case "spf alignment": row.spfAligned = true
        case "reason": row.reasons = [DMARCPolicyOverrideReason(type: .mailingList)]
        case "reason comment": row.reasons = [DMARCPolicyOverrideReason(type: .other, comment: "b")]
        case "dkim result": row.dkimResults[0].result = "fail"
        case "dkim selector": row.dkimResults[0].selector = "s2"
        case "spf result": row.spfResults[0].result = "softfail"
        case "spf scope": row.spfResults[0].scope = .helo
        default: Issue.record("unknown field \(field)")
        }
        return row
    }

    @Test(arguments: ["source", "header from", "envelope from", "envelope to", "disposition", "dkim alignment",
                      "spf alignment", "reason", "reason comment", "dkim result", "dkim selector", "spf result",
                      "spf scope"])
    func anyReportedDifferenceKeepsRecordsApart(field: String) throws {
        var first = ReportFixtures.row(1, arrival: 100)
        if field == "reason comment" { first.reasons = [DMARCPolicyOverrideReason(type: .other, comment: "a")] }
        let report = try #require(ReportFixtures.report([first, Self.changed(field)]))
        #expect(report.records.count == 2, "rows differing in \(field) must not be counted together")
        #expect(report.records.map(\.count) == [1, 1])
    }

    @Test func recordOrderFollowsFirstArrivalWhateverTheInputOrder() throws {
        let rows = [
            ReportFixtures.row(1, arrival: 500, sourceIP: "198.51.100.7"),
            ReportFixtures.row(2, arrival: 100, sourceIP: "203.0.113.9"),
            ReportFixtures.row(3, arrival: 300, sourceIP: "192.0.2.1"),
            ReportFixtures.row(4, arrival: 50, sourceIP: "198.51.100.7"),
            // Same arrival as row 2: the lower id comes first.
            ReportFixtures.row(5, arrival: 100, sourceIP: "192.0.2.200"),
        ]
        let forward = try #require(ReportFixtures.report(rows))
        let backward = try #require(ReportFixtures.report(rows.reversed()))
        #expect(forward == backward)
        #expect(forward.records.map(\.sourceIP) == ["198.51.100.7", "203.0.113.9", "192.0.2.200", "192.0.2.1"])
        #expect(forward.records.map(\.count) == [2, 1, 1, 1])
    }

    @Test func policyComesFromTheNewestRow() throws {
        let old = DMARCReportPolicy(p: "none", rua: "mailto:old@sender.example")
        let new = DMARCReportPolicy(adkim: .strict, p: "reject", sp: "quarantine", pct: 50, rua: "mailto:new@sender.example")
        let tie = DMARCReportPolicy(p: "quarantine", rua: "mailto:tie@sender.example")
        let rows = [
            ReportFixtures.row(9, arrival: 100, policy: old),
            ReportFixtures.row(2, arrival: 900, policy: tie),
            ReportFixtures.row(7, arrival: 900, policy: new),
            ReportFixtures.row(3, arrival: 400, policy: old),
        ]
        let report = try #require(ReportFixtures.report(rows))
        // Arrival 900 twice: the higher id (7) is the newest.
        #expect(report.policy == new)
    }

    @Test func rowsForOtherPolicyDomainsAreLeftOut() throws {
        let rows = [
            ReportFixtures.row(1, policyDomain: "sender.example"),
            ReportFixtures.row(2, policyDomain: "elsewhere.example", sourceIP: "203.0.113.1"),
            ReportFixtures.row(3, policyDomain: "SENDER.example", sourceIP: "203.0.113.2"),
        ]
        let report = try #require(ReportFixtures.report(rows))
        #expect(report.policyDomain == "sender.example")
        #expect(report.records.map(\.sourceIP) == ["192.0.2.1", "203.0.113.2"])
    }

    @Test func noRowsForTheDomainGivesNoReport() {
        #expect(ReportFixtures.report([]) == nil)
        #expect(ReportFixtures.report([ReportFixtures.row(1, policyDomain: "elsewhere.example")]) == nil)
    }

    @Test func metadataIsTakenAsGiven() throws {
        let report = try #require(ReportFixtures.report([ReportFixtures.row(1)], reportID: "abc"))
        #expect(report.reporter == ReportFixtures.reporter)
        #expect(report.reportID == "abc")
        #expect(report.begin == 1_699_920_000)
        #expect(report.end == 1_700_006_399)
    }
}

private extension AggregateReportRecord {
    func with(count: Int) -> AggregateReportRecord {
        var copy = self
        copy.count = count
        return copy
    }
}
