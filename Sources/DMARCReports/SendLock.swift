#if canImport(Glibc)
import Glibc
#endif
import SystemIO

/// One `dmarc_send_reports` at a time per store: two overlapping runs (a
/// slow run and the next cron tick) would read the same pending rows and
/// send the same report twice. A SQLite store is locked with
/// `<database>.send-lock` (flock, released when the process ends, however
/// it ends); a PostgreSQL store with an advisory lock in its session.
public enum SendLock {
    /// Takes the lock for the life of the process, or throws `Busy`.
    public static func acquire(_ location: DMARCReportStoreLocation, store: DMARCReportStore) throws {
        switch location {
        case .sqlite(let path):
            let lockPath = path + ".send-lock"
            let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw ReportError(.sendLocked, "cannot open \(lockPath): \(SystemIOError.text(for: errno))") }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                close(fd)
                throw ReportError(.sendLocked, "another dmarc_send_reports is running (\(lockPath) is locked)")
            }
            // Kept open on purpose: the lock lasts until the process exits.
        case .postgresql:
            guard try store.tryAdvisorySendLock() else {
                throw ReportError(.sendLocked, "another dmarc_send_reports is running on this PostgreSQL store (advisory lock held)")
            }
        }
    }
}
