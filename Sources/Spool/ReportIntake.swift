import DMARCReports
import MailAuth
import Shared

/// The spool's report work: rows from workers go to the journal first
/// (on disk before anything else happens), then to the store. Rows the
/// store has not taken yet stay in the journal and in `waiting`, and are
/// offered again on every `flush` (the spool's timer calls it), so a
/// store that is down for a while costs nothing but journal space.
final class ReportIntake {
    let journal: ReportJournal
    private(set) var location: DMARCReportStoreLocation
    private var store: DMARCReportStore?
    /// Journaled rows the store does not hold yet.
    private(set) var waiting: [DMARCReportRow] = []
    private var lastStoreError: String?

    init(journal: ReportJournal, location: DMARCReportStoreLocation) {
        self.journal = journal
        self.location = location
    }

    /// Before the sandbox: open the store (files and sockets it needs are
    /// opened now) and take back what the journal holds from last time.
    func start() {
        do {
            let contents = try journal.readAll()
            waiting = contents.rows
            if !contents.rows.isEmpty {
                ChildLog.info("spool: \(contents.rows.count) report rows in \(journal.path) from an earlier run")
            }
            if contents.skippedLines > 0 {
                ChildLog.error("spool: \(contents.skippedLines) unreadable lines in \(journal.path) skipped (a write cut short by a crash)")
            }
        } catch {
            ChildLog.error("spool: \(error)")
        }
        openStore()
        flush()
    }

    private func openStore() {
        guard store == nil else { return }
        do {
            store = try location.open()
            ChildLog.info("spool: DMARC report store \(location)")
            lastStoreError = nil
        } catch {
            logStoreError("cannot open the DMARC report store \(location): \(error); rows are kept in \(journal.path)")
        }
    }

    /// A reloaded configuration names another store: later rows go there
    /// (rows waiting for the old one go to the new one too). A PostgreSQL
    /// store needs the spool's network sandbox role, which a running
    /// spool started for SQLite cannot gain: that change waits for a
    /// restart.
    func switchStore(to newLocation: DMARCReportStoreLocation, allowsNetwork: Bool) {
        guard newLocation != location else { return }
        if case .postgresql = newLocation, !allowsNetwork {
            ChildLog.warning("spool: report_store changed to \(newLocation); a PostgreSQL store takes effect after a restart (-c restart), rows keep going to \(location)")
            return
        }
        ChildLog.info("spool: report_store changed from \(location) to \(newLocation)")
        location = newLocation
        store = nil
        lastStoreError = nil
        openStore()
        flush()
    }

    /// Rows from one poll round: journal them, then try the store.
    func accept(_ rows: [DMARCReportRow]) {
        guard !rows.isEmpty else { return }
        do {
            try journal.append(rows)
        } catch {
            // Not on disk: still try the store directly; if that fails
            // too, the rows live only in memory until the next flush.
            ChildLog.error("spool: \(error)")
        }
        waiting += rows
        flush()
    }

    /// Offers the waiting rows to the store; on success the journal is
    /// emptied. Called after each intake and by the spool's timer.
    func flush() {
        guard !waiting.isEmpty else { return }
        openStore()
        guard let store else {
            ChildLog.debug("spool: \(waiting.count) DMARC report rows kept in \(journal.path) until the store opens")
            return
        }
        do {
            try store.insert(waiting)
            try journal.clear()
            ChildLog.debug("spool: stored \(waiting.count) DMARC report rows")
            waiting = []
            if lastStoreError != nil { ChildLog.info("spool: DMARC report store is back, rows stored") }
            lastStoreError = nil
        } catch let error as SQLError {
            logStoreError("DMARC report store failed, \(waiting.count) rows kept in \(journal.path) (\(journal.size) bytes): \(error)")
            // Reopen next time: a broken connection is replaced.
            if case .sqlite = location { self.store = nil }
        } catch {
            ChildLog.error("spool: \(error)")
        }
    }

    /// The same failure is logged once, not on every retry.
    private func logStoreError(_ message: String) {
        guard message != lastStoreError else { return }
        lastStoreError = message
        ChildLog.error("spool: \(message)")
    }
}
