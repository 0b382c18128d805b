import MailAuth

/// Where aggregate report data lives between the spool, which adds rows,
/// and `dmarc_send_reports`, which turns them into reports. The same SQL
/// runs on SQLite and PostgreSQL (see `SQLConnection`).
///
/// Two tables:
/// - `dmarc_report_row`: one row per evaluated message. The row itself is
///   kept whole as JSON (`row_json`, `DMARCReportRow.jsonText`); a few
///   columns are copied out for queries and indexes. `report_id` is NULL
///   until a report carried the row.
/// - `dmarc_report_sent`: one line per report attempt, with its outcome.
public final class DMARCReportStore {
    public let connection: any SQLConnection

    public static let schema = [
        """
        CREATE TABLE IF NOT EXISTS dmarc_report_row (
            id TEXT PRIMARY KEY,
            arrival BIGINT NOT NULL,
            policy_domain TEXT NOT NULL,
            header_from TEXT NOT NULL,
            source_ip TEXT NOT NULL,
            disposition TEXT NOT NULL,
            dkim TEXT NOT NULL,
            spf TEXT NOT NULL,
            row_json TEXT NOT NULL,
            report_id TEXT
        )
        """,
        "CREATE INDEX IF NOT EXISTS dmarc_report_row_pending ON dmarc_report_row (report_id, policy_domain)",
        """
        CREATE TABLE IF NOT EXISTS dmarc_report_sent (
            report_id TEXT PRIMARY KEY,
            policy_domain TEXT NOT NULL,
            begin_time BIGINT NOT NULL,
            end_time BIGINT NOT NULL,
            rows_count BIGINT NOT NULL,
            messages_count BIGINT NOT NULL,
            destinations TEXT NOT NULL,
            status TEXT NOT NULL,
            detail TEXT NOT NULL,
            attempted_at BIGINT NOT NULL
        )
        """,
    ]

    /// Opens the store and creates its tables when missing (`createSchema`
    /// false: a read-only look at a store the spool made).
    public init(connection: any SQLConnection, createSchema: Bool = true) throws(ReportError) {
        self.connection = connection
        guard createSchema else { return }
        for statement in Self.schema { try connection.execute(statement, []) }
    }

    /// Adds rows in one transaction; a row whose id is already stored is
    /// skipped (the journal may replay rows after a crash).
    public func insert(_ rows: [DMARCReportRow]) throws(ReportError) {
        guard !rows.isEmpty else { return }
        try connection.transaction { () throws(ReportError) in
            for row in rows {
                try connection.execute("""
                    INSERT INTO dmarc_report_row
                        (id, arrival, policy_domain, header_from, source_ip, disposition, dkim, spf, row_json)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                    """, [.text(row.id), .integer(row.arrival), .text(row.policyDomain), .text(row.headerFrom),
                          .text(row.sourceIP), .text(row.disposition.rawValue), .text(row.dkimAligned ? "pass" : "fail"),
                          .text(row.spfAligned ? "pass" : "fail"), .text(row.jsonText)])
            }
        }
    }

    /// Rows no report has carried yet, that arrived before `before`, oldest
    /// first; all of them, or one policy domain's. A stored row that no longer decodes is returned in
    /// `unreadable` (by id) instead of stopping the whole run.
    public func pendingRows(before: Int64, policyDomain: String? = nil) throws(ReportError) -> (rows: [DMARCReportRow], unreadable: [String]) {
        let result: [[SQLValue]]
        if let policyDomain {
            result = try connection.execute("""
                SELECT id, row_json FROM dmarc_report_row
                WHERE report_id IS NULL AND policy_domain = ? AND arrival < ? ORDER BY arrival, id
                """, [.text(policyDomain), .integer(before)])
        } else {
            result = try connection.execute("""
                SELECT id, row_json FROM dmarc_report_row
                WHERE report_id IS NULL AND arrival < ? ORDER BY arrival, id
                """, [.integer(before)])
        }
        var rows: [DMARCReportRow] = []
        var unreadable: [String] = []
        for line in result {
            guard line.count == 2, let id = line[0].text else { continue }
            guard let text = line[1].text, let row = try? DMARCReportRow(jsonText: text) else {
                unreadable.append(id)
                continue
            }
            rows.append(row)
        }
        return (rows, unreadable)
    }

    /// How many rows wait for a report, per policy domain (for the view
    /// command), sorted by domain.
    public func pendingCounts() throws(ReportError) -> [(policyDomain: String, rows: Int64, oldest: Int64, newest: Int64)] {
        try connection.execute("""
            SELECT policy_domain, count(*), min(arrival), max(arrival) FROM dmarc_report_row
            WHERE report_id IS NULL GROUP BY policy_domain ORDER BY policy_domain
            """, []).compactMap { line in
            guard line.count == 4, let domain = line[0].text, let count = line[1].integer,
                  let oldest = line[2].integer, let newest = line[3].integer else { return nil }
            return (domain, count, oldest, newest)
        }
    }

    /// Records a report attempt; when it was sent (or refused for good),
    /// the rows it covered are marked with its id so they are not sent
    /// again. A temporary failure leaves the rows pending.
    public func record(_ attempt: DMARCReportAttempt, rowIDs: [String]) throws(ReportError) {
        try connection.transaction { () throws(ReportError) in
            try connection.execute("""
                INSERT INTO dmarc_report_sent
                    (report_id, policy_domain, begin_time, end_time, rows_count, messages_count, destinations, status, detail, attempted_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.text(attempt.reportID), .text(attempt.policyDomain), .integer(attempt.begin), .integer(attempt.end),
                      .integer(Int64(rowIDs.count)), .integer(attempt.messages), .text(attempt.destinations.joined(separator: ",")),
                      .text(attempt.status.rawValue), .text(attempt.detail), .integer(attempt.attemptedAt)])
            guard attempt.status != .deferred else { return }
            for id in rowIDs {
                try connection.execute("UPDATE dmarc_report_row SET report_id = ? WHERE id = ?", [.text(attempt.reportID), .text(id)])
            }
        }
    }

    /// The latest report attempts, newest first.
    public func attempts(limit: Int) throws(ReportError) -> [DMARCReportAttempt] {
        try connection.execute("""
            SELECT report_id, policy_domain, begin_time, end_time, messages_count, destinations, status, detail, attempted_at
            FROM dmarc_report_sent ORDER BY attempted_at DESC, report_id LIMIT ?
            """, [.integer(Int64(max(0, limit)))]).compactMap { line in
            guard line.count == 9, let id = line[0].text, let domain = line[1].text, let begin = line[2].integer,
                  let end = line[3].integer, let messages = line[4].integer, let destinations = line[5].text,
                  let status = line[6].text.flatMap(DMARCReportAttempt.Status.init(rawValue:)), let detail = line[7].text,
                  let at = line[8].integer else { return nil }
            return DMARCReportAttempt(reportID: id, policyDomain: domain, begin: begin, end: end, messages: messages,
                                      destinations: destinations.split(separator: ",").map(String.init), status: status,
                                      detail: detail, attemptedAt: at)
        }
    }

    /// PostgreSQL only: takes the session-level advisory lock that keeps
    /// two `dmarc_send_reports` runs (on any host sharing the store) from
    /// sending the same rows; false when another run holds it. SQLite
    /// stores are locked with a file next to the database instead
    /// (`SendLock`).
    public func tryAdvisorySendLock() throws(ReportError) -> Bool {
        // 0x444d415243 = "DMARC".
        let result = try connection.execute("SELECT CAST(pg_try_advisory_lock(294409442883) AS INT)", [])
        return result.first?.first == .integer(1)
    }

    /// Deletes rows already reported that arrived before `before` (keeps
    /// the store from growing without end; the attempts stay).
    @discardableResult
    public func purgeReported(before: Int64) throws(ReportError) -> Int {
        let count = try connection.execute("SELECT count(*) FROM dmarc_report_row WHERE report_id IS NOT NULL AND arrival < ?",
                                           [.integer(before)]).first?.first?.integer ?? 0
        try connection.execute("DELETE FROM dmarc_report_row WHERE report_id IS NOT NULL AND arrival < ?", [.integer(before)])
        return Int(count)
    }
}

/// One attempt to send one report.
public struct DMARCReportAttempt: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Accepted by the SMTP server for at least one destination.
        case sent
        /// Will never be sent (no verified destination, too large for every
        /// destination): the rows are marked so they are not retried.
        case refused
        /// A temporary failure: the rows stay pending for the next run.
        case deferred
    }

    public var reportID: String
    public var policyDomain: String
    public var begin: Int64
    public var end: Int64
    public var messages: Int64
    public var destinations: [String]
    public var status: Status
    public var detail: String
    public var attemptedAt: Int64

    public init(reportID: String, policyDomain: String, begin: Int64, end: Int64, messages: Int64, destinations: [String],
                status: Status, detail: String, attemptedAt: Int64) {
        self.reportID = reportID
        self.policyDomain = policyDomain
        self.begin = begin
        self.end = end
        self.messages = messages
        self.destinations = destinations
        self.status = status
        self.detail = detail
        self.attemptedAt = attemptedAt
    }
}
