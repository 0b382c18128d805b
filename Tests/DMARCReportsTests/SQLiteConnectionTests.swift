import DMARCReports
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SQLiteConnectionTests {
    @Test func storesAndReadsBackIntegersTextAndNull() throws {
        let path = NSTemporaryDirectory() + "authmilter-sqlite-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sqlite"
        defer { unlink(path); unlink(path + "-wal"); unlink(path + "-shm") }
        let db = try SQLiteConnection(path: path)
        try db.execute("CREATE TABLE t (a BIGINT, b TEXT, c TEXT)", [])
        try db.execute("INSERT INTO t VALUES (?, ?, ?)", [.integer(1 << 40), .text("héllo\u{0}x"), .null])
        try db.execute("INSERT INTO t VALUES (?, ?, ?)", [.integer(-3), .text(""), .text("z")])
        let rows = try db.execute("SELECT a, b, c FROM t ORDER BY a", [])
        #expect(rows == [[.integer(-3), .text(""), .text("z")], [.integer(1 << 40), .text("héllo\u{0}x"), .null]])
    }

    @Test func aFailedStatementInATransactionRollsBack() throws {
        let path = NSTemporaryDirectory() + "authmilter-sqlite-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sqlite"
        defer { unlink(path); unlink(path + "-wal"); unlink(path + "-shm") }
        let db = try SQLiteConnection(path: path)
        try db.execute("CREATE TABLE t (id TEXT PRIMARY KEY)", [])
        #expect(throws: ReportError.self) {
            try db.transaction { () throws(ReportError) in
                try db.execute("INSERT INTO t VALUES (?)", [.text("a")])
                try db.execute("INSERT INTO nowhere VALUES (?)", [.text("b")])
            }
        }
        #expect(try db.execute("SELECT count(*) FROM t", []) == [[.integer(0)]])
    }

    @Test func anUnopenablePathIsAClearError() {
        expectReportError(.database) { _ = try SQLiteConnection(path: "/nonexistent-dir/x/reports.sqlite") }
    }
}
