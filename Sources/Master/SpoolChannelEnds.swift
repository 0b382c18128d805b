#if canImport(Glibc)
import Glibc
#endif

/// The master's copies of the spool's end of every worker's spool channel
/// (SOCK_SEQPACKET). Holding them keeps a channel alive when the spool
/// dies: what a worker sent and the dead spool had not read stays queued
/// in it, the worker's writes do not fail, and the next spool is handed
/// the same channel and reads on from the next whole message (it then asks
/// the worker to send again what is not acknowledged). The end of a worker
/// that exits while no spool runs is kept until the next spool has it.
final class SpoolChannelEnds {
    private var live: [pid_t: Int32] = [:]
    private var ofExitedWorkers: [Int32] = []

    deinit {
        for fd in live.values { close(fd) }
        for fd in ofExitedWorkers { close(fd) }
    }

    /// Every end a new spool must be given.
    var all: [Int32] { Array(live.values) + ofExitedWorkers }

    func keep(_ fd: Int32, worker pid: pid_t) { live[pid] = fd }

    /// The worker is gone. With a spool running, it has this end already
    /// and reads it to its end; without one, the rows still queued in it
    /// wait for the next spool.
    func workerExited(_ pid: pid_t, spoolRunning: Bool) {
        guard let fd = live.removeValue(forKey: pid) else { return }
        if spoolRunning { close(fd) } else { ofExitedWorkers.append(fd) }
    }

    /// A new spool has been given `all`: the exited workers' ends are its
    /// alone now.
    func handedToSpool() {
        for fd in ofExitedWorkers { close(fd) }
        ofExitedWorkers = []
    }
}
