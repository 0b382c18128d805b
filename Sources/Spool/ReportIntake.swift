import DMARCReports
import MailAuth
import ProcessLog
import SystemIO

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
    /// The store failed last time: only the timer retries it.
    private(set) var failing = false
    private var droppedForSpace = 0
    /// Rows a working store refused, kept for a person to look at.
    let rejected: ReportJournal?

    init(journal: ReportJournal, location: DMARCReportStoreLocation, rejected: ReportJournal?) {
        self.journal = journal
        self.location = location
        self.rejected = rejected
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

    /// Rows from one poll round: journal them, then try the store (while
    /// the store is failing, only the timer retries it: a PostgreSQL
    /// reconnect may take seconds and must not slow the intake).
    /// Returns whether the spool is done with them, which is when the
    /// workers may forget them: on disk (journal or store), or refused
    /// for space (logged here). False: they live only in this process's
    /// memory (the journal could not be written and the store did not take
    /// them), and the workers keep them for the next spool.
    @discardableResult
    func accept(_ rows: [DMARCReportRow]) -> Bool {
        guard !rows.isEmpty else { return true }
        // A store down for days, or a worker gone mad, must not fill the
        // disk or the spool's memory: past the cap new rows are refused.
        guard journal.size < ReportJournal.maximumBytes else {
            droppedForSpace += rows.count
            ChildLog.error("spool: \(journal.path) holds \(journal.size) bytes (cap \(ReportJournal.maximumBytes)) and the store does not take them; \(rows.count) new report rows dropped (\(droppedForSpace) so far)")
            return true
        }
        var journaled = true
        do {
            try journal.append(rows)
        } catch {
            // Not on disk: still try the store directly; if that fails
            // too, the rows live only in memory until the next flush.
            ChildLog.error("spool: \(error)")
            journaled = false
        }
        waiting += rows
        if !failing { flush() }
        return journaled || waiting.isEmpty
    }

    /// Offers the waiting rows to the store; on success the journal is
    /// emptied. Called after each intake and by the spool's timer.
    /// The rows per run and the time a run may take (`DequeueSchedule`:
    /// `max_dequeue` batches, `dequeue_timeout`); a run that reaches
    /// either leaves the rest for the next one.
    var rowsPerRun = Int.max
    var runSeconds = Double.infinity

    /// Offers the waiting rows to the store in batches of
    /// `DequeueSchedule.batchRows`, within `rowsPerRun` and `runSeconds`.
    /// The journal is emptied only when nothing waits any more: after a
    /// crash a later spool offers the stored rows again and the store
    /// keeps each id once.
    @discardableResult
    func flush() -> DequeueSchedule.Result {
        guard !waiting.isEmpty else { return .done }
        openStore()
        guard let store else {
            failing = true
            ChildLog.debug("spool: \(waiting.count) DMARC report rows kept in \(journal.path) until the store opens")
            return .failed
        }
        let deadline = monotonicSeconds() + runSeconds
        var taken = 0
        while !waiting.isEmpty {
            if taken >= rowsPerRun { return .partial }
            if taken > 0 && monotonicSeconds() >= deadline {
                ChildLog.warning("spool: dequeue run stopped at dequeue_timeout (\(runSeconds)s) after \(taken) rows; \(waiting.count) wait for the next run")
                return .timeout
            }
            let batch = Array(waiting.prefix(min(DequeueSchedule.batchRows, rowsPerRun - taken)))
            do {
                try store.insert(batch)
            } catch {
                guard insertOneByOne(store, batch: batch, batchError: error) else { return .failed }
            }
            waiting.removeFirst(batch.count)
            taken += batch.count
        }
        stored(taken)
        return .done
    }

    /// The batch row by row after the store refused it whole: rows it
    /// refuses are set aside (the rejected file) so one bad row does not
    /// hold the rest. False when it takes none (the store is down).
    private func insertOneByOne(_ store: DMARCReportStore, batch: [DMARCReportRow], batchError: ReportError) -> Bool {
        var storedCount = 0
        var refused: [(DMARCReportRow, ReportError)] = []
        for (index, row) in batch.enumerated() {
            do {
                try store.insert([row])
                storedCount += 1
            } catch {
                refused.append((row, error))
                // Two refusals before any success: the store itself is
                // failing, not a row.
                if storedCount == 0 && index >= 1 { break }
            }
        }
        guard storedCount > 0 else {
            failing = true
            logStoreError("DMARC report store failed, \(waiting.count) rows kept in \(journal.path) (\(journal.size) bytes): \(batchError)")
            if case .sqlite = location { self.store = nil }
            return false
        }
        for (row, error) in refused {
            ChildLog.error("spool: DMARC report row \(row.id) for \(row.policyDomain) refused by the store and set aside in \(rejected?.path ?? "(nowhere)"): \(error)")
        }
        do { try rejected?.append(refused.map(\.0)) } catch { ChildLog.error("spool: \(error)") }
        return true
    }

    private func stored(_ count: Int) {
        do {
            try journal.clear()
        } catch {
            ChildLog.error("spool: \(error)")
        }
        ChildLog.debug("spool: stored \(count) DMARC report rows")
        if failing || lastStoreError != nil { ChildLog.info("spool: DMARC report store is back, rows stored") }
        failing = false
        lastStoreError = nil
    }

    /// The same failure is logged once, not on every retry.
    private func logStoreError(_ message: String) {
        guard message != lastStoreError else { return }
        lastStoreError = message
        ChildLog.error("spool: \(message)")
    }
}
