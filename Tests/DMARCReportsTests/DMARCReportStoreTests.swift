import DMARCReports
import MailAuth
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The store on a real SQLite file (the PostgreSQL run of the same
/// behaviour is in PostgreSQLReportStoreTests).
@Suite struct DMARCReportStoreTests {
    static func withStore(_ body: (DMARCReportStore) throws -> Void) throws {
        let path = NSTemporaryDirectory() + "authmilter-store-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sqlite"
        defer { unlink(path); unlink(path + "-wal"); unlink(path + "-shm") }
        try body(DMARCReportStore(connection: SQLiteConnection(path: path)))
    }

    @Test func insertedRowsComeBackWholeAndDuplicatesAreIgnored() throws {
        try Self.withStore { store in
            try DMARCReportStoreBehaviour.insertAndDuplicates(store)
        }
    }

    @Test func sentRowsAreNotPendingAndDeferredOnesStay() throws {
        try Self.withStore { store in
            try DMARCReportStoreBehaviour.attempts(store)
        }
    }

    @Test func anUnreadableStoredRowIsReportedNotFatal() throws {
        try Self.withStore { store in
            try store.insert([ReportRowSamples.row(1)])
            try store.connection.execute("UPDATE dmarc_report_row SET row_json = ? WHERE id = ?",
                                         [.text("{broken"), .text(ReportRowSamples.row(1).id)])
            try store.insert([ReportRowSamples.row(2)])
            let pending = try store.pendingRows(before: Int64.max)
            #expect(pending.rows.map(\.id) == [ReportRowSamples.row(2).id])
            #expect(pending.unreadable == [ReportRowSamples.row(1).id])
        }
    }

    @Test func openingTwiceKeepsTheData() throws {
        let path = NSTemporaryDirectory() + "authmilter-store-\(getpid())-reopen.sqlite"
        defer { unlink(path); unlink(path + "-wal"); unlink(path + "-shm") }
        try DMARCReportStore(connection: SQLiteConnection(path: path)).insert([ReportRowSamples.row(4)])
        let again = try DMARCReportStore(connection: SQLiteConnection(path: path))
        #expect(try again.pendingRows(before: Int64.max).rows == [ReportRowSamples.row(4)])
    }
}

/// What every store must do, run on SQLite here and on PostgreSQL where a
/// server is at hand.
enum DMARCReportStoreBehaviour {
    static func insertAndDuplicates(_ store: DMARCReportStore) throws {
        let rows = (1...4).map { ReportRowSamples.row($0) } + [ReportRowSamples.row(5, domain: "other.example")]
        try store.insert(rows)
        try store.insert([rows[0], rows[2]])
        let pending = try store.pendingRows(before: Int64.max)
        #expect(pending.rows == rows)
        #expect(pending.unreadable.isEmpty)
        let early = try store.pendingRows(before: rows[2].arrival)
        #expect(early.rows == Array(rows.prefix(2)))
        let counts = try store.pendingCounts()
        #expect(counts.map(\.policyDomain) == ["example.com", "other.example"])
        #expect(counts.map(\.rows) == [4, 1])
        #expect(counts.first?.oldest == rows[0].arrival)
        #expect(counts.first?.newest == rows[3].arrival)
    }

    static func attempts(_ store: DMARCReportStore) throws {
        let rows = (1...3).map { ReportRowSamples.row($0) }
        try store.insert(rows)
        let deferred = DMARCReportAttempt(reportID: "r-deferred", policyDomain: "example.com", begin: 1, end: 2, messages: 2,
                                          destinations: ["dmarc@example.com"], status: .deferred, detail: "421 try later",
                                          attemptedAt: 100)
        try store.record(deferred, rowIDs: [rows[0].id, rows[1].id])
        #expect(try store.pendingRows(before: Int64.max).rows.count == 3)
        let sent = DMARCReportAttempt(reportID: "r-sent", policyDomain: "example.com", begin: 1, end: 2, messages: 2,
                                      destinations: ["dmarc@example.com", "b@example.com"], status: .sent, detail: "250 ok",
                                      attemptedAt: 200)
        try store.record(sent, rowIDs: [rows[0].id, rows[1].id])
        #expect(try store.pendingRows(before: Int64.max).rows == [rows[2]])
        #expect(try store.attempts(limit: 10) == [sent, deferred])
        #expect(try store.attempts(limit: 1) == [sent])
        #expect(try store.purgeReported(before: Int64.max) == 2)
        #expect(try store.pendingRows(before: Int64.max).rows == [rows[2]])
    }
}
