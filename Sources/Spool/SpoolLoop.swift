#if canImport(Glibc)
import Glibc
#endif
import Config
import DMARCReports
import ErrorMail
import Handlers
import IPC
import MailAuth
import ProcessLog
import SystemIO

/// Serves the master channel and every worker channel from one poll loop.
final class SpoolLoop {
    let master: IPCChannel
    let reports: ReportIntake?
    /// Whether the sandbox lets this spool open network connections.
    let allowsNetwork: Bool
    /// When the deferred work runs (check_for_dequeue, dequeue_timeout,
    /// max_dequeue).
    var schedule: DequeueSchedule
    /// The last dequeue state told to the master, and when.
    private var toldWaiting = -1
    private var toldAt = 0.0
    var workers: [SpoolWorkerChannel] = []
    /// With the AbusixDataFeed handler: sends workers' records as datagrams.
    let abusix: AbusixFeedSender?
    /// With `errors_to`: mails the error reports.
    let errorMail: ErrorMailSender?

    init(master: IPCChannel, reports: ReportIntake?, abusix: AbusixFeedSender?, errorMail: ErrorMailSender?,
         allowsNetwork: Bool, schedule: DequeueSchedule) {
        self.master = master
        self.errorMail = errorMail
        self.abusix = abusix
        self.reports = reports
        self.allowsNetwork = allowsNetwork
        self.schedule = schedule
    }

    func run() -> Never {
        // The configuration was read with `receive`, which may have read
        // the first worker channels too: take those before polling.
        takeMasterFrames()
        tellMaster(run: nil)
        while true {
            // Channels added while handling the master join the next round.
            let polled = workers
            var fds = [pollfd(fd: master.fd, events: Int16(POLLIN), revents: 0)]
            for channel in polled {
                let events = channel.wantsToWrite ? POLLIN | POLLOUT : POLLIN
                fds.append(pollfd(fd: channel.fd, events: Int16(events), revents: 0))
            }
            let waiting = !(reports?.waiting.isEmpty ?? true)
            let timeout = schedule.pollMilliseconds(now: monotonicSeconds(), waiting: waiting)
            guard let ready = try? SystemCall.poll(&fds, timeoutMilliseconds: timeout) else { exit(1) }
            // The deferred work runs on its timer, however busy the
            // channels are.
            if waiting, schedule.isDue(now: monotonicSeconds()), let reports {
                let result = reports.flush()
                schedule.finished(result, now: monotonicSeconds())
                tellMaster(run: result)
            }
            if ready == 0 { continue }
            if fds[0].revents != 0 {
                if !master.fill() { drainAndExit() }
                takeMasterFrames()
                if master.isClosed { drainAndExit() }
            }
            var received: [(channel: SpoolWorkerChannel, rows: [DMARCReportRow])] = []
            for (index, channel) in polled.enumerated() where fds[index + 1].revents != 0 {
                if fds[index + 1].revents & Int16(POLLOUT) != 0 { channel.sendQueued() }
                var rows: [DMARCReportRow] = []
                channel.readRows(into: &rows, abusix: sendAbusix, errorReport: mailError)
                if !rows.isEmpty { received.append((channel, rows)) }
            }
            // One journal write (and fdatasync) and one store transaction
            // per round; then each worker hears which of its rows are safe.
            acceptAndAcknowledge(received)
            if !received.isEmpty { tellMaster(run: nil) }
            let closed = Set(polled.filter(\.isClosed).map(\.fd))
            if !closed.isEmpty {
                for fd in closed { close(fd) }
                workers.removeAll { closed.contains($0.fd) }
            }
        }
    }

    /// A record from a worker: its datagram now, or nothing when the
    /// handler is not (or no longer) enabled.
    private func sendAbusix(_ record: AbusixFeedRecord) {
        abusix?.send(record)
    }

    /// The dequeue state for the master's metrics: after every timed run,
    /// otherwise when the count changed, at most once a second.
    private func tellMaster(run: DequeueSchedule.Result?) {
        let count = reports?.waiting.count ?? 0
        let now = monotonicSeconds()
        guard run != nil || (count != toldWaiting && now - toldAt >= 1) else { return }
        toldWaiting = count
        toldAt = now
        _ = master.send(HelperToMaster.dequeueState, payload: DequeueState(key: "dmarc_report", waiting: count, run: run?.rawValue).encoded(),
                        timeoutSeconds: 1)
    }

    /// An error report: mailed when `errors_to` is set, logged in any case.
    private func mailError(_ report: ErrorReport) {
        guard let errorMail else {
            ChildLog.error("spool: error report from \(report.role) \(report.pid) (no errors_to): \(report.text)")
            return
        }
        errorMail.take(report)
    }

    /// Rows are acknowledged only once the spool is done with them
    /// (`ReportIntake.accept`): until then the worker keeps them and sends
    /// them again to the next spool if this one dies.
    private func acceptAndAcknowledge(_ received: [(channel: SpoolWorkerChannel, rows: [DMARCReportRow])]) {
        guard !received.isEmpty else { return }
        // Without reports configured the rows have nowhere to go: they are
        // dropped, as before, and acknowledged so no worker keeps them.
        let done = reports?.accept(received.flatMap(\.rows)) ?? true
        guard done else { return }
        for (channel, rows) in received where !channel.isClosed { channel.acknowledge(rows.map(\.id)) }
    }

    /// The master is gone (stop, restart): workers drained their rows into
    /// their channels before exiting, so read every channel to its end
    /// (at most 0.8 s: the master waits 1 s before SIGKILL), store, exit.
    private func drainAndExit() -> Never {
        let deadline = monotonicSeconds() + 0.8
        var open = workers
        var received: [(channel: SpoolWorkerChannel, rows: [DMARCReportRow])] = []
        while !open.isEmpty {
            guard deadline > monotonicSeconds() else { break }
            var fds = open.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            guard let ready = try? SystemCall.poll(&fds, deadline: deadline), ready > 0 else { break }
            for (index, channel) in open.enumerated() where fds[index].revents != 0 {
                var rows: [DMARCReportRow] = []
                channel.readRows(into: &rows, abusix: sendAbusix)
                if !rows.isEmpty { received.append((channel, rows)) }
            }
            open.removeAll { $0.isClosed }
        }
        acceptAndAcknowledge(received)
        exit(0)
    }

    /// New worker channels from the master, and the configuration again
    /// after a reload (SIGHUP).
    private func takeMasterFrames() {
        while let message = master.nextMessage(MasterToHelper.self) {
            switch message.kind {
            case .newChannel:
                workers.append(SpoolWorkerChannel(fd: message.descriptor))
            case .reloadedConfiguration:
                reconfigure(message.payload)
            case .configuration:
                ChildLog.warning("spool: a second initial configuration from the master ignored")
            case .errorReport:
                if let report = SpoolWorkerChannel.errorReport(message.payload) { mailError(report) }
            }
        }
        if let violation = master.violation {
            ChildLog.critical("spool: broken message from the master (\(violation)); exiting")
            exit(1)
        }
    }

    private func reconfigureAbusix(_ configuration: Configuration) {
        do {
            let settings = try AbusixFeedSettings.enabled(in: configuration)
            if let settings, let abusix {
                abusix.reconfigure(settings)
            } else if settings != nil {
                ChildLog.warning("spool: AbusixDataFeed was enabled by a reload; its datagrams start after a restart")
            }
            // Disabled by a reload: the new workers send no records; any
            // still in the channels go out with the last settings.
        } catch {
            ChildLog.error("spool: AbusixDataFeed settings unreadable, keeping the current ones: \(error)")
        }
    }

    private func reconfigure(_ payload: [UInt8]) {
        do {
            let configuration = try Configuration(fromSerialized: payload)
            let settings = try DMARCReportSettings(configuration: configuration, hostname: "localhost")
            reconfigureAbusix(configuration)
            errorMail?.reconfigure(configuration, hostname: errorMail?.mail.hostname ?? "localhost")
            guard let reports else {
                if settings.enabled { ChildLog.warning("spool: DMARC reports were enabled by a reload; they start after a restart") }
                return
            }
            reports.switchStore(to: settings.store, allowsNetwork: allowsNetwork)
        } catch {
            ChildLog.error("spool: reloaded configuration unreadable, keeping the current one: \(error)")
        }
    }
}
