#if canImport(Glibc)
import Glibc
#endif
import DMARCReports
import MailAuth
import Shared

/// Serves the master channel and every worker channel from one poll loop.
final class SpoolLoop {
    let master: IPCChannel
    let reports: ReportIntake?
    /// Whether the sandbox lets this spool open network connections.
    let allowsNetwork: Bool
    /// How often rows the store refused are offered again (seconds).
    let retryInterval: Int32
    var workers: [IPCChannel] = []

    init(master: IPCChannel, reports: ReportIntake?, allowsNetwork: Bool, retryInterval: Int32) {
        self.master = master
        self.reports = reports
        self.allowsNetwork = allowsNetwork
        self.retryInterval = retryInterval
    }

    func run() -> Never {
        // The configuration was read with `receive`, which may have read
        // the first worker channels too: take those before polling.
        takeMasterFrames()
        var nextRetry = monotonicSeconds() + Double(retryInterval)
        while true {
            // Channels added while handling the master join the next round.
            let polled = workers
            var fds = [pollfd(fd: master.fd, events: Int16(POLLIN), revents: 0)]
            for channel in polled { fds.append(pollfd(fd: channel.fd, events: Int16(POLLIN), revents: 0)) }
            let waiting = !(reports?.waiting.isEmpty ?? true)
            let timeout = waiting ? Int32(max(0, min(Double(retryInterval), nextRetry - monotonicSeconds())) * 1000) : -1
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 { if errno == EINTR { continue }; exit(1) }
            // Rows the store did not take are offered again on the timer,
            // however busy the channels are.
            if waiting, monotonicSeconds() >= nextRetry {
                reports?.flush()
                nextRetry = monotonicSeconds() + Double(retryInterval)
            } else if !waiting {
                nextRetry = monotonicSeconds() + Double(retryInterval)
            }
            if ready == 0 { continue }
            if fds[0].revents != 0 {
                if !master.fill() { drainAndExit() }
                takeMasterFrames()
                if master.isClosed { drainAndExit() }
            }
            var closed: Set<Int32> = []
            var rows: [DMARCReportRow] = []
            for (index, channel) in polled.enumerated() where fds[index + 1].revents != 0 {
                read(channel, into: &rows, closed: &closed)
            }
            // One journal write and one store transaction per round.
            if let reports { reports.accept(rows) }
            if !closed.isEmpty {
                for fd in closed { close(fd) }
                workers.removeAll { closed.contains($0.fd) }
            }
        }
    }

    /// What one worker channel holds now, as rows.
    private func read(_ channel: IPCChannel, into rows: inout [DMARCReportRow], closed: inout Set<Int32>) {
        if !channel.fill() { closed.insert(channel.fd) }
        while let message = channel.nextMessage(WorkerToSpool.self) {
            if let row = Self.reportRow(message) { rows.append(row) }
        }
        // A worker that sends anything else (an unknown kind, a row over
        // the limit, a descriptor) loses its channel; the descriptor was
        // closed as it arrived.
        if let violation = channel.violation {
            ChildLog.error("spool: worker channel dropped: \(violation)")
        }
        if channel.isClosed { closed.insert(channel.fd) }
    }

    /// The master is gone (stop, restart): workers drained their rows into
    /// their channels before exiting, so read every channel to its end
    /// (at most 0.8 s: the master waits 1 s before SIGKILL), store, exit.
    private func drainAndExit() -> Never {
        let deadline = monotonicSeconds() + 0.8
        var open = workers
        var rows: [DMARCReportRow] = []
        while !open.isEmpty {
            let left = deadline - monotonicSeconds()
            guard left > 0 else { break }
            var fds = open.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(left * 1000))
            if ready < 0 { if errno == EINTR { continue }; break }
            if ready == 0 { break }
            var closed: Set<Int32> = []
            for (index, channel) in open.enumerated() where fds[index].revents != 0 {
                read(channel, into: &rows, closed: &closed)
            }
            open.removeAll { closed.contains($0.fd) }
        }
        reports?.accept(rows)
        exit(0)
    }

    /// New worker channels from the master, and the configuration again
    /// after a reload (SIGHUP).
    private func takeMasterFrames() {
        while let message = master.nextMessage(MasterToHelper.self) {
            switch message.kind {
            case .newChannel:
                workers.append(IPCChannel(fd: message.descriptor, receiving: WorkerToSpool.self))
            case .reloadedConfiguration:
                reconfigure(message.payload)
            case .configuration:
                ChildLog.warning("spool: a second initial configuration from the master ignored")
            }
        }
        if let violation = master.violation {
            ChildLog.critical("spool: broken message from the master (\(violation)); exiting")
            exit(1)
        }
    }

    private func reconfigure(_ payload: [UInt8]) {
        do {
            let configuration = try Configuration(fromSerialized: payload)
            let settings = try DMARCReportSettings(configuration: configuration, hostname: "localhost")
            guard let reports else {
                if settings.enabled { ChildLog.warning("spool: DMARC reports were enabled by a reload; they start after a restart") }
                return
            }
            reports.switchStore(to: settings.store, allowsNetwork: allowsNetwork)
        } catch {
            ChildLog.error("spool: reloaded configuration unreadable, keeping the current one: \(error)")
        }
    }

    /// A worker's row; a malformed one is logged and dropped (a worker is
    /// untrusted: it cannot make the spool do more). Kind and size were
    /// checked by the channel.
    static func reportRow(_ message: IPCMessage<WorkerToSpool>) -> DMARCReportRow? {
        do {
            return try DMARCReportRow(jsonText: String(decoding: message.payload, as: UTF8.self))
        } catch {
            ChildLog.error("spool: malformed report row dropped: \(error)")
            return nil
        }
    }
}
