import DMARCReports
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SendLockTests {
    /// flock locks belong to an open file: a second run (here a second
    /// open in the same process) finds the lock taken.
    @Test func aSecondRunOnTheSameSQLiteStoreIsRefused() throws {
        let path = NSTemporaryDirectory() + "authmilter-sendlock-\(getpid()).sqlite"
        defer { unlink(path); unlink(path + "-wal"); unlink(path + "-shm"); unlink(path + ".send-lock") }
        let store = try DMARCReportStore(connection: SQLiteConnection(path: path))
        try SendLock.acquire(.sqlite(path: path), store: store)
        expectReportError(.sendLocked) { _ = try SendLock.acquire(.sqlite(path: path), store: store) }
    }

    @Test(.enabled(if: getenv("AUTHMILTER_TEST_POSTGRES") != nil, "needs AUTHMILTER_TEST_POSTGRES (scripts/test.sh starts a server)"))
    func aSecondRunOnTheSamePostgreSQLStoreIsRefused() throws {
        let conninfo = String(cString: getenv("AUTHMILTER_TEST_POSTGRES")!)
        let first = try DMARCReportStore(connection: PostgreSQLConnection(conninfo: conninfo))
        let second = try DMARCReportStore(connection: PostgreSQLConnection(conninfo: conninfo))
        #expect(try first.tryAdvisorySendLock())
        #expect(try !second.tryAdvisorySendLock())
        try first.connection.execute("SELECT pg_advisory_unlock_all()", [])
        #expect(try second.tryAdvisorySendLock())
        try second.connection.execute("SELECT pg_advisory_unlock_all()", [])
    }
}
