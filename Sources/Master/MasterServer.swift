#if canImport(Glibc)
import Glibc
#endif
import CCap
import CShim
import Handlers
import MailAuth
import MasterSupport
import Metrics

/// The master's event loop: accept connections and hand them to idle
/// workers, keep the pool sized, restart children that die, reload on
/// SIGHUP and stop on SIGTERM/SIGINT. Single-threaded, driven by poll(2)
/// and a signalfd, so every decision happens in one place.
final class MasterServer {
    var configuration: Configuration {
        didSet { wantedHelperArguments = HelperArguments(configuration) }
    }
    /// What the scanner and the BIMI fetch helper would be started with
    /// under `configuration` (nil: not wanted), worked out once per load:
    /// `ensureHelpers` looks at them at every turn of the loop, and
    /// working them out there copied every handler's configuration each
    /// time (5% of the master under load; issue 12).
    struct HelperArguments {
        let scanner: [String]?
        let bimiFetcher: [String]?
        init(_ configuration: Configuration) {
            scanner = ContentScanners.scannerArguments(in: configuration)
            bimiFetcher = BIMIHandler.fetcherArguments(in: configuration)
        }
    }
    private(set) var wantedHelperArguments: HelperArguments
    var serializedConfiguration: [UInt8]
    let options: CommandLineOptions
    let listeners: [ListenerSocket]
    let binaryDirectory: String
    let signalFD: Int32
    let daemon: Bool

    var workers: [pid_t: ChildSlot] = [:]
    var dnsHelper: ChildSlot?
    var spool: ChildSlot?
    /// The scanner (only with the SpamAssassin handler) and the spamd
    /// settings it was started with (`SpamAssassinSettings.scannerArguments`).
    var scanner: ChildSlot?
    var scannerArguments: [String]?
    /// The BIMI fetch helper (only with the BIMI handler) and the settings
    /// it was started with (`BIMIHandler.fetcherArguments`).
    var bimiFetcher: ChildSlot?
    var bimiFetcherArguments: [String]?
    /// Keeps every worker's spool channel open across spool restarts.
    let spoolEnds = SpoolChannelEnds()
    var policy: WorkerPoolPolicy
    var backoff = RespawnBackoff()
    /// Failures per role for the error mail's "restarting again and again".
    var restartStorms: [ChildSlot.Role: RestartStorm] = [:]
    /// The master's error report waiting for a spool to take it (the spool
    /// itself may be the role that keeps failing).
    var pendingErrorReport: ErrorReport?
    var helperBackoff = RespawnBackoff()
    var nextSpawnAllowed = 0.0
    var nextHelperSpawnAllowed = 0.0
    var stopping = false
    var stopDeadline = 0.0
    /// Connections accepted while no worker was idle (MasterServer+WaitQueue).
    var waiting: ConnectionWaitQueue<WaitingConnection>
    var overload = PoolOverloadReport()
    /// Which idle worker takes a connection, and how long one may wait
    /// for a warm worker (issue 12).
    var warmPreference = WarmWorkerPreference.standard
    /// accept(2) failed for want of descriptors: the listeners rest until then.
    var acceptPausedUntil = 0.0
    var lastAcceptErrorLogged = -Double.infinity
    /// A spool stopped on purpose (new AbusixDataFeed destinations): its
    /// exit is expected, not a crash.
    var replacedSpool: pid_t?
    /// The AbusixDataFeed destinations the running spool was started with.
    var spoolAbusixDestinations: [AbusixFeedDestination]?
    /// With the Blocker handler: the rule files, read here for the workers.
    var blockerRules: BlockerRuleSource?
    /// With `metric_connection` (or `metric_port`): the counts and the
    /// HTTP endpoint that serves them (MasterServer+Metrics).
    var metrics: MetricRegistry?
    let metricsEndpoint: MetricsEndpoint?
    let metricsStartedAt = monotonicSeconds()

    init(configuration: Configuration, options: CommandLineOptions, listeners: [ListenerSocket], binaryDirectory: String,
         signalFD: Int32, daemon: Bool, metricsEndpoint: MetricsEndpoint? = nil) {
        self.daemon = daemon
        self.metricsEndpoint = metricsEndpoint
        self.metrics = MasterServer.metricRegistry(configuration, ident: options.logIdent)
        self.configuration = configuration
        self.wantedHelperArguments = HelperArguments(configuration)
        self.serializedConfiguration = MasterServer.serializedForChildren(configuration)
        self.options = options
        self.listeners = listeners
        self.binaryDirectory = binaryDirectory
        self.signalFD = signalFD
        self.policy = MasterServer.poolPolicy(configuration)
        self.waiting = ConnectionWaitQueue(capacity: configuration.connectionQueueSize,
                                           timeoutSeconds: configuration.connectionQueueTimeout)
        self.blockerRules = MasterServer.blockerRuleSource(configuration)
        warmPreference.queueTimeoutSeconds = configuration.connectionQueueTimeout
    }

    static func poolPolicy(_ c: Configuration) -> WorkerPoolPolicy {
        WorkerPoolPolicy(minChildren: c.minChildren, maxChildren: c.maxChildren,
                         minSpareChildren: c.minSpareChildren, maxSpareChildren: c.maxSpareChildren)
    }

    var log: Logger { MasterLog.logger }

    // MARK: - Loop

    func run() {
        ensureHelpers()
        while true {
            if stopping {
                if workers.isEmpty { break }
                if monotonicSeconds() > stopDeadline {
                    for slot in workers.values { kill(slot.pid, SIGKILL) }
                }
            } else {
                MasterLog.recheckSyslogSocket(now: monotonicSeconds())
                ensureHelpers()
                managePool()
                killHungWorkers()
            }
            var fds: [pollfd] = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)]
            // Listeners are watched even with every worker busy: what no
            // worker can take waits in the bounded queue or is closed at
            // once, never left unanswered in the kernel backlog.
            let acceptNow = !stopping && monotonicSeconds() >= acceptPausedUntil
            if acceptNow {
                for listener in listeners { fds.append(pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)) }
            }
            let children = allChildren
            // Where each child's channel and log pipe sit in `fds`: only
            // what poll found ready is read (issue 12: no read or poll of
            // every child on every round).
            var watched: [(channel: Int, log: Int?)] = []
            for slot in children {
                let channel = fds.count
                fds.append(pollfd(fd: slot.process.channel, events: Int16(POLLIN), revents: 0))
                var log: Int?
                if slot.logOpen {
                    log = fds.count
                    fds.append(pollfd(fd: slot.process.logPipe, events: Int16(POLLIN), revents: 0))
                }
                watched.append((channel, log))
            }
            // The metrics endpoint's descriptors come last.
            let metricsBase = fds.count
            if let metricsEndpoint, !stopping { fds += metricsEndpoint.pollDescriptors }
            do {
                _ = try SystemCall.poll(&fds, timeoutSeconds: pollTimeoutSeconds)
            } catch {
                log.error("\(error)")
                continue
            }
            if fds[0].revents != 0 { handleSignals() }
            // A child reaped in this round (handleSignals above) has had
            // its descriptors closed: skip it.
            for (slot, position) in zip(children, watched) where !slot.descriptorsClosed {
                if let log = position.log, fds[log].revents != 0 { slot.drainLog() }
                if fds[position.channel].revents != 0 { readChannel(of: slot) }
            }
            if acceptNow {
                for (index, listener) in listeners.enumerated() where fds[1 + index].revents != 0 {
                    acceptConnections(on: listener)
                }
            }
            if let metricsEndpoint, !stopping {
                metricsEndpoint.process(fds[metricsBase...]) { metricsResponse($0) }
            }
            serveWaitingConnections()
            closeExpiredWaitingConnections()
            logOverload()
        }
        shutdownHelpers()
        metricsEndpoint?.closeAll()
    }

    var allChildren: [ChildSlot] {
        var list = Array(workers.values)
        if let dnsHelper { list.append(dnsHelper) }
        if let spool { list.append(spool) }
        if let scanner { list.append(scanner) }
        if let bimiFetcher { list.append(bimiFetcher) }
        return list
    }

    // MARK: - Connections

    /// Gives `connection` to the idle worker `slot` and closes the master's
    /// copy. The socket is blocking (accept4 without SOCK_NONBLOCK; Linux
    /// does not pass the listener's O_NONBLOCK on) with the receive
    /// timeout the worker's reads rely on (`setReceiveTimeout`).
    func handOver(_ connection: Int32, listenerSpec: String, to slot: ChildSlot) {
        sendBlockerRulesIfStale(to: slot)
        let sent = slot.channel.send(MasterToWorker.connection, payload: Array(listenerSpec.utf8), descriptor: connection)
        close(connection)
        if sent {
            slot.state = .busy
            slot.connectionsServed += 1
        } else {
            log.warning("worker \(slot.pid) did not take a connection; it will be replaced")
            slot.state = .retiring
            kill(slot.pid, SIGTERM)
        }
    }

    func readChannel(of slot: ChildSlot) {
        guard !slot.channel.isClosed, !slot.descriptorsClosed else { return }
        slot.channel.fill()
        switch slot.role {
        case .worker:
            while let message = slot.channel.nextMessage(WorkerToMaster.self) {
                switch message.kind {
                case .ready:
                    if slot.state == .starting { slot.state = .idle }
                    backoff.recordSuccess()
                case .done:
                    if slot.state == .busy {
                        warmPreference.connectionEnded(lastedSeconds: monotonicSeconds() - slot.busySince)
                        slot.state = .idle
                    }
                case .retiring:
                    slot.state = .retiring
                case .metrics:
                    takeMetrics(message.payload, from: slot)
                case .relayConnectionRequest:
                    answerRelayRequest(message.payload, from: slot)
                }
            }
        case .dns, .spool, .scan, .bimiFetch:
            // Only the spool sends the master anything (its dequeue state).
            while let message = slot.channel.nextMessage(HelperToMaster.self) {
                switch message.kind {
                case .dequeueState:
                    guard slot.role == .spool else {
                        replace(slot, refusing: IPCError.malformed("a dequeue state from the \(slot.role.rawValue) helper"))
                        return
                    }
                    takeDequeueState(message.payload, from: slot)
                }
            }
        }
        if let violation = slot.channel.violation { replace(slot, refusing: violation) }
    }

    /// A child broke its channel's protocol: only a subverted (or badly
    /// broken) child does that, so it is killed; the channel is already
    /// closed to it and SIGCHLD brings the replacement.
    func replace(_ slot: ChildSlot, refusing violation: IPCError) {
        let what = slot.role == .worker ? "worker" : "\(slot.role.rawValue) helper"
        log.error("\(what) \(slot.pid) broke the \(slot.channel.direction) protocol (\(violation)): killing and replacing it")
        slot.state = .retiring
        kill(slot.pid, SIGKILL)
    }

    // MARK: - Watchdog

    /// A worker polls its connection with an idle timeout and handlers are
    /// bounded by their stage timeouts and DNS deadlines, so a worker busy
    /// far longer than all of those together is stuck (a bug or a hostile
    /// input we did not foresee): kill it so it cannot hold a slot forever.
    /// The same goes for one that never reports ready.
    var hungAfterSeconds: Double {
        let c = configuration
        let stages = (c.connectTimeout ?? 0) + (c.commandTimeout ?? 0) + (c.contentTimeout ?? 0)
        return max(stages, 300) * 3 + 60
    }

    func killHungWorkers() {
        let now = monotonicSeconds()
        for slot in workers.values {
            if slot.state == .busy && now - slot.busySince > hungAfterSeconds {
                log.error("worker \(slot.pid) busy with one connection for \(Int(now - slot.busySince))s: killing it")
                kill(slot.pid, SIGKILL)
                slot.state = .retiring
            } else if slot.state == .starting && now - slot.startedAt > 60 {
                log.error("worker \(slot.pid) not ready after 60s: killing it")
                kill(slot.pid, SIGKILL)
                slot.state = .retiring
            }
        }
    }

    // MARK: - Pool

    func managePool() {
        let idle = workers.values.filter { $0.state == .idle }.count
        let busy = workers.values.filter { $0.state == .busy }.count
        let starting = workers.values.filter { $0.state == .starting }.count
        // A connection held for a warm worker while another is idle is no
        // demand for more workers (WarmWorkerPreference).
        let overloadWaiting = waiting.entries.count { !$0.element.held }
        switch policy.decide(idle: idle, busy: busy, starting: starting, waiting: overloadWaiting) {
        case .steady:
            break
        case .start(let count):
            guard monotonicSeconds() >= nextSpawnAllowed else { return }
            for _ in 0..<count { startWorker() }
        case .retire(let count):
            // The workers idle longest go first: the warm ones stay.
            let idle = workers.values.filter { $0.state == .idle }
            for slot in WarmWorkerPreference.retirementOrder(idle, idleSince: \.idleSince).prefix(count) {
                slot.state = .retiring
                slot.channel.send(MasterToWorker.shutdown)
            }
        }
    }

    func startWorker() {
        var dnsPair: [Int32] = [-1, -1]
        var spoolPair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &dnsPair) == 0 else {
            log.error("socketpair for a worker's DNS channel failed: \(SystemIOError.text(for: errno))")
            return
        }
        // SOCK_SEQPACKET: one frame per message (WorkerToSpool, SpoolToWorker).
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &spoolPair) == 0 else {
            close(dnsPair[0]); close(dnsPair[1])
            log.error("socketpair for a worker's spool channel failed: \(SystemIOError.text(for: errno))")
            return
        }
        // With the SpamAssassin handler: a channel to the scanner too.
        var scanPair: [Int32] = [-1, -1]
        if scanner != nil {
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &scanPair) == 0 else {
                close(dnsPair[0]); close(dnsPair[1]); close(spoolPair[0]); close(spoolPair[1])
                log.error("socketpair for a worker's scanner channel failed: \(SystemIOError.text(for: errno))")
                return
            }
        }
        // With the BIMI handler: a channel to the fetch helper too.
        var fetchPair: [Int32] = [-1, -1]
        if bimiFetcher != nil {
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fetchPair) == 0 else {
                close(dnsPair[0]); close(dnsPair[1]); close(spoolPair[0]); close(spoolPair[1])
                if scanPair[0] >= 0 { close(scanPair[0]); close(scanPair[1]) }
                log.error("socketpair for a worker's BIMI fetch channel failed: \(SystemIOError.text(for: errno))")
                return
            }
        }
        defer {
            close(dnsPair[1]); close(spoolPair[1])
            if scanPair[1] >= 0 { close(scanPair[1]) }
            if fetchPair[1] >= 0 { close(fetchPair[1]) }
        }
        sendToHelper(dnsHelper, .newChannel, descriptor: dnsPair[0])
        sendToHelper(spool, .newChannel, descriptor: spoolPair[0])
        close(dnsPair[0])
        if scanPair[0] >= 0 {
            sendToHelper(scanner, .newChannel, descriptor: scanPair[0])
            close(scanPair[0])
        }
        if fetchPair[0] >= 0 {
            sendToHelper(bimiFetcher, .newChannel, descriptor: fetchPair[0])
            close(fetchPair[0])
        }
        do {
            var passing: [(ChildDescriptor, Int32)] = [(.dnsHelper, dnsPair[1]), (.spool, spoolPair[1])]
            // The places follow each other: without a scanner, fd 6 holds
            // the fetch channel too (the worker reads fd 6 only when a
            // scanning handler is enabled, and then there is a scanner).
            if scanPair[1] >= 0 || fetchPair[1] >= 0 { passing.append((.scanner, scanPair[1] >= 0 ? scanPair[1] : fetchPair[1])) }
            if fetchPair[1] >= 0 { passing.append((.bimiFetcher, fetchPair[1])) }
            let process = try ChildProcess.spawn(path: binaryDirectory + "/authmilter-worker", arguments: identArguments,
                                                 passing: passing)
            // Kept for the next spool, should this one die.
            spoolEnds.keep(spoolPair[0], worker: process.pid)
            let slot = ChildSlot(role: .worker, process: process)
            workers[process.pid] = slot
            slot.channel.send(MasterToWorker.configuration, payload: serializedConfiguration)
            countMasterMetric(.forkedChildren)
            log.debug("started worker \(process.pid)")
        } catch {
            close(spoolPair[0])
            log.error("\(error)")
            backoff.recordFailure()
            nextSpawnAllowed = monotonicSeconds() + backoff.delaySeconds
        }
    }

    var identArguments: [String] { options.ident.map { ["--ident", $0] } ?? [] }

    // MARK: - DNS helper and spool

    func ensureHelpers() {
        guard !stopping, monotonicSeconds() >= nextHelperSpawnAllowed else { return }
        if dnsHelper == nil {
            var arguments = identArguments
            for resolver in configuration.dnsResolvers { arguments += ["--resolver", resolver] }
            arguments += ["--timeout", String(configuration.dnsTimeout), "--retry", String(configuration.dnsRetry),
                          "--servfail-timeout-us", String(configuration.dnsServfailTimeout)]
            arguments += privilegeArguments
            if configuration.debug { arguments.append("--debug") }
            dnsHelper = startHelper(.dns, executable: "authmilter-dns", arguments: arguments)
            // Workers hold channels to the old helper: replace them.
            if dnsHelper != nil { retireAllWorkers() }
        }
        if spool == nil {
            var arguments = identArguments
            arguments += ["--spool-dir", configuration.spoolDir ?? ""]
            arguments += privilegeArguments
            if configuration.debug { arguments.append("--debug") }
            spool = startHelper(.spool, executable: "authmilter-spool", arguments: arguments)
            spoolAbusixDestinations = MasterServer.abusixDestinations(configuration)
            // Its first frame: the configuration (report store settings).
            spool?.channel.send(MasterToHelper.configuration, payload: serializedConfiguration)
            // The workers keep their channels: the new spool is given the
            // same ones (rows the dead one had not read are still queued
            // there) and asks each worker to send again what it had not
            // acknowledged. Workers are not replaced.
            if spool != nil {
                for fd in spoolEnds.all { sendToHelper(spool, .newChannel, descriptor: fd) }
                spoolEnds.handedToSpool()
                sendPendingErrorReport()
            }
        }
        if scanner == nil, let scanning = wantedHelperArguments.scanner {
            var arguments = identArguments + scanning + privilegeArguments
            if configuration.debug { arguments.append("--debug") }
            scanner = startHelper(.scan, executable: "authmilter-scan", arguments: arguments)
            // Workers hold channels to the old scanner, or none: replace them.
            if scanner != nil {
                scannerArguments = scanning
                retireAllWorkers()
            }
        }
        ensureBIMIFetcher()
    }

    /// Starts the BIMI fetch helper when the BIMI handler is enabled and it
    /// is not running; the workers are replaced to get a channel to it.
    func ensureBIMIFetcher() {
        guard bimiFetcher == nil, let fetching = wantedHelperArguments.bimiFetcher else { return }
        var arguments = identArguments + fetching + privilegeArguments
        if configuration.debug { arguments.append("--debug") }
        bimiFetcher = startHelper(.bimiFetch, executable: "authmilter-bimi-fetch", arguments: arguments)
        if bimiFetcher != nil {
            bimiFetcherArguments = fetching
            retireAllWorkers()
        }
    }

    /// Lets the fetch helper go (a reload changed or removed its settings):
    /// it finishes the fetches in flight and exits.
    func stopBIMIFetcher() {
        guard let slot = bimiFetcher else { return }
        log.info("BIMI fetch helper \(slot.pid): settings changed, replacing it")
        slot.closeDescriptors()
        bimiFetcher = nil
        bimiFetcherArguments = nil
    }

    /// Lets the scanner go (a reload changed or removed spamd's settings):
    /// its control channel is closed, it finishes the scans in progress and
    /// exits; `ensureHelpers` starts the new one.
    func stopScanner() {
        guard let slot = scanner else { return }
        log.info("scanner \(slot.pid): content scanner settings changed, replacing it")
        slot.closeDescriptors()
        scanner = nil
        scannerArguments = nil
    }

    /// The master must never wait long on a helper: one that has not
    /// taken a frame within 3 s is hung, and is killed (it is restarted
    /// as after a crash: a new DNS helper replaces the workers, a new
    /// spool takes their channels over).
    func sendToHelper(_ slot: ChildSlot?, _ kind: MasterToHelper, payload: [UInt8] = [], descriptor: Int32 = -1) {
        guard let slot else { return }
        if !slot.channel.send(kind, payload: payload, descriptor: descriptor, timeoutSeconds: 3) {
            log.error("\(slot.role.rawValue) helper \(slot.pid) does not read its channel; killing it")
            kill(slot.pid, SIGKILL)
        }
    }

    /// The configuration the children read, with the account they run as
    /// filled in (a worker takes runas from it, not from its arguments).
    static func serializedForChildren(_ c: Configuration) -> [UInt8] {
        var copy = c
        if let (user, group) = MasterPrivileges.childAccount(c) {
            copy.runas = user
            copy.rungroup = group
        }
        return copy.serialized()
    }

    /// Children never keep uid 0 unless `runas` says "root": without
    /// `runas` they are started as nobody (MasterPrivileges.childAccount).
    var privilegeArguments: [String] {
        guard let (user, group) = MasterPrivileges.childAccount(configuration) else { return [] }
        var arguments = ["--runas", user]
        if let group { arguments += ["--rungroup", group] }
        return arguments
    }

    func startHelper(_ role: ChildSlot.Role, executable: String, arguments: [String]) -> ChildSlot? {
        do {
            let process = try ChildProcess.spawn(path: binaryDirectory + "/" + executable, arguments: arguments)
            log.debug("started \(role.rawValue) helper \(process.pid)")
            return ChildSlot(role: role, process: process)
        } catch {
            log.error("\(error)")
            helperBackoff.recordFailure()
            nextHelperSpawnAllowed = monotonicSeconds() + helperBackoff.delaySeconds
            return nil
        }
    }

    func retireAllWorkers() {
        for slot in workers.values where slot.state != .retiring {
            slot.state = .retiring
            slot.channel.send(MasterToWorker.shutdown)
        }
    }

    func shutdownHelpers() {
        for slot in [dnsHelper, spool, scanner, bimiFetcher].compactMap({ $0 }) {
            // Closing the channel is the helper's signal to exit.
            slot.closeDescriptors()
            var status: Int32 = 0
            for _ in 0..<50 {
                if waitpid(slot.pid, &status, WNOHANG) == slot.pid { break }
                usleep(20_000)
            }
            if kill(slot.pid, 0) == 0 { kill(slot.pid, SIGKILL); _ = waitpid(slot.pid, &status, 0) }
        }
        dnsHelper = nil
        spool = nil
        scanner = nil
        bimiFetcher = nil
    }

    // MARK: - Signals

    func handleSignals() {
        while true {
            let signal = am_signalfd_read(signalFD)
            if signal < 0 { return }
            switch signal {
            case SIGCHLD: reapChildren()
            case SIGTERM, SIGINT: beginStop(signal: signal)
            case SIGHUP: reload()
            default: break
            }
        }
    }

    func reapChildren() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid <= 0 { return }
            let clean = exitWasClean(status: status)
            if let slot = workers.removeValue(forKey: pid) {
                countMasterMetric(.reapedChildren)
                slot.closeDescriptors()
                spoolEnds.workerExited(pid, spoolRunning: spool != nil)
                if clean && (slot.state == .retiring || stopping) {
                    log.debug("worker \(pid) exited")
                } else if clean {
                    log.info("worker \(pid) exited after \(slot.connectionsServed) connection(s); replacing it")
                } else if stopping {
                    log.warning("worker \(pid) \(describeExit(status: status)) while stopping")
                } else {
                    log.error("worker \(pid) \(describeExit(status: status)); replacing it")
                    noteFailure(.worker, pid: pid, status: status)
                    backoff.recordFailure()
                    nextSpawnAllowed = monotonicSeconds() + backoff.delaySeconds
                }
            } else if let slot = dnsHelper, slot.pid == pid {
                slot.closeDescriptors()
                dnsHelper = nil
                if !stopping { helperDied("DNS helper", role: .dns, pid: pid, status: status) }
            } else if let slot = spool, slot.pid == pid {
                slot.closeDescriptors()
                spool = nil
                if pid == replacedSpool {
                    replacedSpool = nil
                    log.info("spool \(pid) stopped for new AbusixDataFeed settings; starting the new one")
                } else if !stopping {
                    helperDied("spool", role: .spool, pid: pid, status: status)
                }
            } else if let slot = scanner, slot.pid == pid {
                slot.closeDescriptors()
                scanner = nil
                scannerArguments = nil
                if !stopping { helperDied("scanner", role: .scan, pid: pid, status: status) }
            } else if let slot = bimiFetcher, slot.pid == pid {
                slot.closeDescriptors()
                bimiFetcher = nil
                bimiFetcherArguments = nil
                if !stopping { helperDied("BIMI fetch helper", role: .bimiFetch, pid: pid, status: status) }
            }
        }
    }

    func helperDied(_ what: String, role: ChildSlot.Role, pid: pid_t, status: Int32) {
        log.error("\(what) \(pid) \(describeExit(status: status)); restarting it")
        noteFailure(role, pid: pid, status: status)
        helperBackoff.recordFailure()
        nextHelperSpawnAllowed = monotonicSeconds() + helperBackoff.delaySeconds
    }

    func beginStop(signal: Int32) {
        guard !stopping else { return }
        log.info("received signal \(signal): stopping")
        stopping = true
        stopDeadline = monotonicSeconds() + 10
        for listener in listeners { close(listener.fd) }
        closeAllWaitingConnections()
        for slot in workers.values {
            slot.state = .retiring
            slot.channel.send(MasterToWorker.shutdown)
        }
    }

    /// SIGHUP: read the configuration again. A bad file keeps the running
    /// one; a good one goes to every worker started from now on, and the
    /// current workers are retired as soon as they are idle.
    func reload() {
        var loaded: Configuration
        let warnings: [String]
        do {
            (loaded, warnings) = try ConfigurationLoader.load(prefix: options.prefix)
        } catch {
            log.error("reload refused, keeping the running configuration: \(error)")
            return
        }
        for warning in warnings { log.warning("\(warning)") }
        do {
            _ = try HandlerRegistryCheck.validate(loaded, binaryDirectory: binaryDirectory)
        } catch {
            log.error("reload refused, keeping the running configuration: \(error)")
            return
        }
        if loaded.effectiveMetricConnection != configuration.effectiveMetricConnection {
            log.warning("reload: changes to metric_connection/metric_port take effect only after a restart")
        }
        if loaded.listeners != configuration.listeners {
            log.warning("reload: changes to connection/connections take effect only after a restart")
        }
        MasterMain.resolveDirectories(&loaded, options: options)
        // A scanner that no longer fits (a scanner's address or timeout
        // changed, or no scanning handler is on now) is replaced, or just stopped.
        if scanner != nil && ContentScanners.scannerArguments(in: loaded) != scannerArguments {
            stopScanner()
        }
        if bimiFetcher != nil && BIMIHandler.fetcherArguments(in: loaded) != bimiFetcherArguments {
            stopBIMIFetcher()
        }
        if loaded.serverProtocol != configuration.serverProtocol {
            log.warning("reload: a change of protocol takes effect only after a restart")
            loaded.serverProtocol = configuration.serverProtocol
        }
        configuration = loaded
        // smtp.sock_host names are resolved again at the next relay.
        RelaySocket.forgetResolvedNames()
        serializedConfiguration = MasterServer.serializedForChildren(loaded)
        policy = MasterServer.poolPolicy(loaded)
        waiting.capacity = loaded.connectionQueueSize
        waiting.timeoutSeconds = loaded.connectionQueueTimeout
        warmPreference.queueTimeoutSeconds = loaded.connectionQueueTimeout
        // Every worker is replaced below and hears the rules anew.
        blockerRules = MasterServer.blockerRuleSource(loaded)
        MasterLog.configure(ident: options.logIdent, debug: loaded.debug, toStderr: MasterMain.logsToStderr(loaded, daemon: daemon))
        metricsEndpoint?.timeoutSeconds = loaded.metricTimeout
        // The counts go on across a reload; newly enabled handlers' series start at 0.
        metrics?.register(enabledHandlers: Set(loaded.enabledHandlers.map(\.name)))
        retireAllWorkers()
        // New AbusixDataFeed sockets or destinations need a new spool (it
        // opens them before its filter); else the spool keeps running
        // (its journal and the rows in flight stay
        // with it) and takes the new report settings in place.
        replaceSpoolIfAbusixDestinationsChanged(loaded)
        sendToHelper(spool, .reloadedConfiguration, payload: serializedConfiguration)
        log.info("configuration reloaded; workers are being replaced")
    }
}

import Config
import IPC
import Logging
import SystemIO
