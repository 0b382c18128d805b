#if canImport(Glibc)
import Glibc
#endif
import Config
import IPC
import MasterSupport
import SystemIO

/// The master's part in the error mail: a role that fails again and again
/// (`RestartStorm`, Perl's "4 restarts within 120 s") is reported to the
/// spool, which writes and sends the mail with the process table. The
/// master itself holds no SMTP client: it accepts connections and must not
/// wait on an MTA.
extension MasterServer {
    func noteFailure(_ role: ChildSlot.Role, pid: pid_t, status: Int32) {
        guard configuration.errorsTo != nil else { return }
        var storm = restartStorms[role] ?? RestartStorm()
        let tripped = storm.recordFailure(now: monotonicSeconds())
        restartStorms[role] = storm
        guard tripped else { return }
        let text = "The \(role.rawValue) process failed \(storm.failuresInWindow) times within \(Int(storm.windowSeconds)) s "
            + "(the last, \(pid), \(describeExit(status: status))). It is restarted again, with a growing delay; see the log."
        pendingErrorReport = ErrorReport(kind: .restartStorm, text: text, role: "master", pid: getpid())
        sendPendingErrorReport()
    }

    /// Hands the waiting report to the spool when one runs; else it waits
    /// for the next spool (`ensureHelpers` calls this after a start).
    func sendPendingErrorReport() {
        guard let report = pendingErrorReport, let spool else { return }
        sendToHelper(spool, .errorReport, payload: report.encoded())
        pendingErrorReport = nil
    }
}
