import MailAuth

/// One `record` of an aggregate report (RFC 9990 section 3, RFC 7489
/// appendix C): identical
/// evaluations from one source, counted once.
public struct AggregateReportRecord: Sendable, Hashable {
    /// `row/source_ip`: the connecting client.
    public var sourceIP: String
    /// `row/count`: how many messages this record stands for.
    public var count: Int
    /// `row/policy_evaluated`: the disposition applied and the aligned
    /// DKIM and SPF outcomes, with the reasons a disposition differs from
    /// the published policy.
    public var disposition: DMARCPolicyAction
    public var dkimAligned: Bool
    public var spfAligned: Bool
    public var reasons: [DMARCPolicyOverrideReason]
    /// `identifiers`: RFC5322.From domain, envelope from domain (empty for
    /// the null sender), envelope recipient domain (nil when hidden).
    public var headerFrom: String
    public var envelopeFrom: String
    public var envelopeTo: String?
    /// `auth_results`: every DKIM and SPF result the evaluation saw.
    public var dkimResults: [DMARCDKIMInput]
    public var spfResults: [DMARCSPFInput]

    public init(sourceIP: String, count: Int, disposition: DMARCPolicyAction, dkimAligned: Bool, spfAligned: Bool,
                reasons: [DMARCPolicyOverrideReason] = [], headerFrom: String, envelopeFrom: String,
                envelopeTo: String? = nil, dkimResults: [DMARCDKIMInput] = [], spfResults: [DMARCSPFInput] = []) {
        self.sourceIP = sourceIP
        self.count = count
        self.disposition = disposition
        self.dkimAligned = dkimAligned
        self.spfAligned = spfAligned
        self.reasons = reasons
        self.headerFrom = headerFrom
        self.envelopeFrom = envelopeFrom
        self.envelopeTo = envelopeTo
        self.dkimResults = dkimResults
        self.spfResults = spfResults
    }

    /// The record for one evaluated message (count 1). Everything the
    /// report shows is copied; the row's id, arrival time and policy are
    /// not part of a record.
    public init(row: DMARCReportRow) {
        self.init(sourceIP: row.sourceIP, count: 1, disposition: row.disposition, dkimAligned: row.dkimAligned,
                  spfAligned: row.spfAligned, reasons: row.reasons, headerFrom: row.headerFrom,
                  envelopeFrom: row.envelopeFrom, envelopeTo: row.envelopeTo, dkimResults: row.dkimResults,
                  spfResults: row.spfResults)
    }
}

/// One aggregate report: what one Mail Receiver saw for one policy domain
/// over one period (RFC 7489 section 7.2 and appendix C). A plain value;
/// `AggregateReportXML` writes it and `AggregateReportEmail` wraps it for
/// sending.
public struct AggregateReport: Sendable, Hashable {
    /// `report_metadata`: who we are.
    public var reporter: DMARCReporter
    /// `report_id`: unique for this reporter; also the filename's
    /// unique-id and the Subject's Report-ID.
    public var reportID: String
    /// `date_range`: seconds since the epoch, UTC.
    public var begin: Int64
    public var end: Int64
    /// `policy_published/domain`: where the applied record was found.
    public var policyDomain: String
    /// The rest of `policy_published`.
    public var policy: DMARCReportPolicy
    /// The `record`s, in the order described at `init(reporter:...rows:)`.
    public var records: [AggregateReportRecord]
    /// The XML it is written in (`report_format`).
    public var format: AggregateReportFormat

    public init(reporter: DMARCReporter, reportID: String, begin: Int64, end: Int64, policyDomain: String,
                policy: DMARCReportPolicy, records: [AggregateReportRecord], format: AggregateReportFormat = .rfc9990) {
        self.format = format
        self.reporter = reporter
        self.reportID = reportID
        self.begin = begin
        self.end = end
        self.policyDomain = policyDomain
        self.policy = policy
        self.records = records
    }

    /// The report for `policyDomain` from evaluated messages.
    ///
    /// - Rows for another policy domain (compared case-insensitively) are
    ///   left out, so a caller may hand over a whole period's rows.
    /// - Rows that differ only in id, arrival time and policy collapse into
    ///   one record whose count is the number of rows.
    /// - Order: rows are first sorted by arrival time, then id (ids are
    ///   unique), and records come in the order of their first row. The
    ///   result therefore does not depend on the order the store returned
    ///   the rows in, and reads like the period did (oldest traffic first).
    /// - `policy_published` is the policy of the newest row (highest
    ///   arrival, then highest id): a report shows one record, and the one
    ///   the Domain Owner publishes now is the one they can act on.
    ///
    /// `begin` and `end` are taken as given; rows are not checked against
    /// them. Returns nil when no row is for `policyDomain`: the schema
    /// requires at least one record, and there would be nothing to say.
    public init?(reporter: DMARCReporter, reportID: String, begin: Int64, end: Int64, policyDomain: String,
                 rows: [DMARCReportRow], format: AggregateReportFormat = .rfc9990) {
        let wanted = policyDomain.lowercased()
        let ordered = rows.filter { $0.policyDomain.lowercased() == wanted }.sorted(by: Self.arrivedBefore)
        guard let newest = ordered.last else { return nil }

        var records: [AggregateReportRecord] = []
        var indexOfShape: [AggregateReportRecord: Int] = [:]
        for row in ordered {
            // The count-1 record of a row is its identity: equal shapes
            // are the identical rows RFC 7489 counts together.
            let shape = AggregateReportRecord(row: row)
            if let index = indexOfShape[shape] {
                records[index].count += 1
            } else {
                indexOfShape[shape] = records.count
                records.append(shape)
            }
        }
        self.init(reporter: reporter, reportID: reportID, begin: begin, end: end, policyDomain: policyDomain,
                  policy: newest.policy, records: records, format: format)
    }

    /// Rows by policy domain (lowercased), each list in the order given:
    /// one report per key.
    public static func group(rows: [DMARCReportRow]) -> [String: [DMARCReportRow]] {
        var groups: [String: [DMARCReportRow]] = [:]
        for row in rows {
            groups[row.policyDomain.lowercased(), default: []].append(row)
        }
        return groups
    }

    /// Messages the report covers: the sum of the records' counts.
    public var messageCount: Int {
        records.reduce(0) { $0 + $1.count }
    }

    private static func arrivedBefore(_ a: DMARCReportRow, _ b: DMARCReportRow) -> Bool {
        if a.arrival != b.arrival { return a.arrival < b.arrival }
        return a.id < b.id
    }
}
