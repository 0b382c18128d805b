#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import BlockerRules
import Config
import Handlers
import IPC
import MailAuth
import Metrics
import ProcessLog
import Sandbox
import SMTP
import SystemIO

/// A worker's life: set up, jail, then serve connections the master hands
/// over until told to stop or `max_requests_per_child` is reached.
final class WorkerProcess {
    let master: IPCChannel
    let configuration: Configuration
    let settings: DispatcherSettings
    let handlers: [any Handler]
    let resolver: DNSHelperClient
    /// DMARC report rows go to the spool on fd 5.
    let spool = SpoolClient(fd: ChildDescriptor.spool.fd)
    /// With the SpamAssassin, RSpamD or ClamAV handler: messages go to the
    /// scanner on fd 6.
    let scanner: ScannerClient?
    /// With the BIMI handler: fetches go to the fetch helper on fd 7.
    let bimiFetcher: BIMIFetcherClient?
    let maximumRequests: Int
    var served = 0
    /// The Blocker rules the master last sent (it reads the rule files).
    var blockerRules: BlockerRuleBook?
    /// With `metric_connection` (or `metric_port`): what the handlers
    /// count, sent to the master after each connection.
    let metrics: MetricTally?
    /// SMTP mode: where message bodies wait for the relay (opened before
    /// the jail; nil in milter mode).
    var bodySpool: SMTPBodySpool?
    /// The master asked the worker to stop while it waited for a relay
    /// connection: it stops after the connection in hand.
    var shutdownRequested = false

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    init(serializedConfiguration: [UInt8], master: IPCChannel) throws {
        self.master = master
        do {
            configuration = try Configuration(fromSerialized: serializedConfiguration)
        } catch {
            throw StartError(description: "configuration from the master is unreadable: \(error)")
        }
        ChildLog.debugEnabled = configuration.debug
        settings = DispatcherSettings(configuration)
        do {
            handlers = try HandlerRegistry.build(configuration)
        } catch {
            throw StartError(description: "\(error)")
        }
        // The helper bounds each lookup by dns_timeout, retries included;
        // the margin covers the IPC round trip.
        resolver = DNSHelperClient(fd: ChildDescriptor.dnsHelper.fd, timeoutSeconds: configuration.dnsTimeout + 2)
        // The scanner bounds each scan by sa_timeout (rs_timeout,
        // ca_timeout); the margin covers the IPC round trip. No channel (the
        // scanner could not be started): every scan is a temperror, and the
        // mail goes on.
        let peers = HandlerPeers(handlers)
        let spamAssassin = peers.first(SpamAssassinHandler.self)
        let rspamd = peers.first(RSpamDHandler.self)
        let clamAV = peers.first(ClamAVHandler.self)
        if spamAssassin != nil || rspamd != nil || clamAV != nil {
            if ChildDescriptor.scanner.isOpen {
                scanner = ScannerClient(fd: ChildDescriptor.scanner.fd,
                                        timeoutSeconds: (spamAssassin?.settings.timeoutSeconds ?? 30) + 2,
                                        rspamdTimeoutSeconds: (rspamd?.settings.timeoutSeconds ?? 30) + 2,
                                        clamdTimeoutSeconds: (clamAV?.settings.timeoutSeconds ?? 30) + 2)
            } else {
                scanner = nil
                ChildLog.error("no channel to the scanner (\(ChildDescriptor.scanner)): every SpamAssassin, RSpamD and ClamAV scan is a temperror")
            }
        } else {
            scanner = nil
        }
        // No channel (the helper could not be started): every fetch fails,
        // a temperror for the message, and the mail goes on.
        if peers.first(BIMIHandler.self) != nil {
            if ChildDescriptor.bimiFetcher.isOpen {
                bimiFetcher = BIMIFetcherClient(fd: ChildDescriptor.bimiFetcher.fd)
            } else {
                bimiFetcher = nil
                ChildLog.error("no channel to the BIMI fetch helper (\(ChildDescriptor.bimiFetcher)): every BIMI fetch fails")
            }
        } else {
            bimiFetcher = nil
        }
        maximumRequests = configuration.maxRequestsPerChild
        metrics = configuration.metricsEnabled ? MetricTally(handlerNames: handlers.map { type(of: $0).name }) : nil
        let privileges = PrivilegeSettings(user: configuration.runas, group: configuration.rungroup, chroot: configuration.chroot)
        guard StageAlarm.install() else {
            throw StartError(description: "cannot install the stage deadline handler: \(SystemIOError.text(for: errno))")
        }
        let servesSMTP = configuration.serverProtocol == .smtp
        var spoolResult: Result<SMTPBodySpool, SystemIOError>?
        let tempDirectory = configuration.smtp.defaults.tempDir ?? "/tmp"
        let notes = try Sandbox.enter(role: servesSMTP ? .smtpWorker : .worker, privileges: privileges) {
            WorkerProcess.warmUpOpenSSL()
            // As the run user, inside the chroot, before the filter.
            if servesSMTP { spoolResult = SMTPBodySpool.open(directory: tempDirectory) }
        }
        for note in notes { ChildLog.info(note) }
        switch spoolResult {
        case .success(let spool)?:
            // smtp.chunk_limit bounds what of a body stays in memory.
            spool.memoryLimit = max(0, configuration.smtp.defaults.chunkLimit)
            bodySpool = spool
        case .failure(let error)?: throw StartError(description: "SMTP mode: no body spool file in \(tempDirectory) (smtp.temp_dir): \(error.reason)")
        case nil: break
        }
        master.send(WorkerToMaster.ready)
    }

    /// OpenSSL loads its configuration, providers and random seed on first
    /// use; all of that opens files, which the jail forbids, so every
    /// algorithm the checks use runs once now (digests, RSA, Ed25519).
    static func warmUpOpenSSL() {
        CryptoWarmUp.run()
    }

    func run() -> Never {
        while true {
            guard let message = master.receive(MasterToWorker.self) else {
                if let violation = master.violation {
                    ChildLog.critical("broken message from the master (\(violation)); exiting")
                    exit(1)
                }
                exit(0)
            }
            switch message.kind {
            case .connection:
                // The inbox hands a connection over only with its socket.
                let socket = message.descriptor
                let listener = String(decoding: message.payload, as: UTF8.self)
                if let bodySpool {
                    SMTPConnection(socket: socket, listener: listener, worker: self, spool: bodySpool).serve()
                } else {
                    MilterConnection(socket: socket, listener: listener, worker: self).serve()
                }
                close(socket)
                spool.flush()
                sendMetrics()
                served += 1
                if maximumRequests > 0 && served >= maximumRequests {
                    master.send(WorkerToMaster.retiring)
                    spool.drain(timeoutMilliseconds: 2000)
                    exit(0)
                }
                if shutdownRequested {
                    spool.drain(timeoutMilliseconds: 2000)
                    exit(0)
                }
                master.send(WorkerToMaster.done)
            case .shutdown:
                spool.drain(timeoutMilliseconds: 2000)
                exit(0)
            case .configuration:
                ChildLog.warning("a second configuration from the master ignored")
            case .blockerRules:
                takeBlockerRules(message.payload)
            case .relayConnection, .relayUnavailable:
                // An answer to a request no longer waited for.
                if message.descriptor >= 0 { close(message.descriptor) }
            }
        }
    }

    /// SMTP mode: a connection to the downstream MTA of `listener`, from
    /// the master (the jailed worker cannot open one). Messages that arrive
    /// meanwhile are kept for later (shutdown) or taken (Blocker rules).
    func requestRelayConnection(listener: String, timeoutSeconds: Double) -> Result<Int32, RelayRequestFailure> {
        guard master.send(WorkerToMaster.relayConnectionRequest, payload: Array(listener.utf8.prefix(4096))) else {
            return .failure(RelayRequestFailure(reason: "the channel to the master is closed"))
        }
        let deadline = monotonicSeconds() + timeoutSeconds
        while true {
            let left = deadline - monotonicSeconds()
            guard left > 0 else { return .failure(RelayRequestFailure(reason: "the master did not answer within \(Int(timeoutSeconds))s")) }
            guard let message = master.receive(MasterToWorker.self, timeoutMilliseconds: SystemCall.milliseconds(left)) else {
                if master.isClosed { return .failure(RelayRequestFailure(reason: "the channel to the master is closed")) }
                continue
            }
            switch message.kind {
            case .relayConnection:
                return .success(message.descriptor)
            case .relayUnavailable:
                return .failure(RelayRequestFailure(reason: String(decoding: message.payload, as: UTF8.self)))
            case .shutdown:
                shutdownRequested = true
            case .blockerRules:
                takeBlockerRules(message.payload)
            case .configuration, .connection:
                ChildLog.warning("unexpected \(message.kind.name) from the master while waiting for a relay connection; ignored")
                if message.descriptor >= 0 { close(message.descriptor) }
            }
        }
    }
}

extension WorkerProcess {
    /// The connection's counts to the master, before `done` (so they are
    /// in the master's registry by the time the worker counts as idle).
    func sendMetrics() {
        guard let metrics, !metrics.isEmpty else { return }
        master.send(WorkerToMaster.metrics, payload: metrics.takeDelta(limit: WorkerToMaster.metricsMaximumPayload))
    }

    /// A new rule set replaces the old one whole; one the worker cannot
    /// read leaves the worker without rules (and says so), as Perl's
    /// handler is without rules when its file does not parse.
    func takeBlockerRules(_ payload: [UInt8]) {
        do {
            let book = BlockerRuleBook(try BlockerRuleWire.decode(payload))
            for id in book.uncompiled { ChildLog.error("Blocker: rule [\(id)] does not compile here; it never matches") }
            blockerRules = book
        } catch {
            blockerRules = nil
            ChildLog.error("Blocker: \(error); no rules until the next set")
        }
    }
}

/// Why the master handed over no downstream connection.
struct RelayRequestFailure: Error {
    var reason: String
}
