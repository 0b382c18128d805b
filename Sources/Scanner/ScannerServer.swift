#if canImport(Glibc)
import Glibc
#endif
import IPC
import MailAuth
import ProcessLog
import SystemIO

/// The scanner's single-threaded poll loop (no Dispatch, no Swift
/// concurrency; docs/sandbox.md). It watches fd 3 (the master, which
/// hands over one channel per worker), every worker channel, and the
/// connection to the content scanner (spamd, rspamd, clamd) of each scan
/// in progress; the scans' deadlines become poll's timeout.
///
/// One scan per channel at a time: a worker waits for its result (or gives
/// up at its own deadline, a little after ours). A new request on a channel
/// whose scan is still running means the worker gave up on it: that scan
/// is dropped.
final class ScannerServer {
    static let masterFD = ChildDescriptor.master.fd
    /// Worker channels served at once (the pool is far smaller).
    static let maximumChannels = 4096

    private let master = IPCChannel(fd: ScannerServer.masterFD, receiving: MasterToHelper.self)
    private let spamd: ScannerTarget?
    private let rspamd: ScannerTarget?
    private let clamd: ScannerTarget?
    /// The longest scan budget: how long a closing master waits for us.
    private let longestTimeout: Double
    private var channels: [UInt64: ScannerChannel] = [:]
    private var nextChannelID: UInt64 = 1
    private var chunk = [UInt8](repeating: 0, count: 65536)
    /// Set when the master closed fd 3: the workers' scans in progress
    /// are finished (until this time at most), then the scanner exits.
    private var drainUntil: Double?

    private enum Target {
        case master
        case channel(UInt64)
        case scan(UInt64)
    }

    init(spamd: ScannerTarget?, rspamd: ScannerTarget?, clamd: ScannerTarget?) {
        self.spamd = spamd
        self.rspamd = rspamd
        self.clamd = clamd
        longestTimeout = [spamd, rspamd, clamd].compactMap { $0?.timeout }.max() ?? 30
    }

    func run() -> Never {
        var polled = PollSet<Target>()
        while true {
            let now = monotonicSeconds()
            expireScans(now: now)
            if let drainUntil, channels.isEmpty || now >= drainUntil {
                ChildLog.info("scan: master channel closed, exiting")
                exit(0)
            }
            polled.removeAll()
            if drainUntil == nil { polled.watch(Self.masterFD, events: Int16(POLLIN), as: .master) }
            var next = drainUntil ?? now + 60
            for (id, channel) in channels {
                polled.watch(channel.end.fd, events: channel.end.pollEvents, as: .channel(id))
                if let pending = channel.pending {
                    polled.watch(pending.fd, events: pending.pollEvents, as: .scan(id))
                    next = min(next, pending.deadline)
                }
            }
            let ready: [(target: Target, revents: Int16)]
            do {
                ready = try polled.wait(timeoutMilliseconds: SystemCall.milliseconds(next - now))
            } catch {
                ChildLog.critical("scan: \(error)")
                exit(1)
            }
            for (target, revents) in ready { dispatch(target, revents: revents) }
        }
    }

    private func expireScans(now: Double) {
        for channel in channels.values {
            guard let pending = channel.pending, now >= pending.deadline else { continue }
            finish(channel, result: pending.timedOut())
        }
    }

    private func dispatch(_ target: Target, revents: Int16) {
        switch target {
        case .master:
            serveMaster()
        case .channel(let id):
            guard let channel = channels[id] else { return }
            switch channel.end.afterPoll(revents: revents) {
            case .writeFailed: drop(channel, reason: "write failed")
            case .readable: serve(channel)
            case .idle: break
            }
        case .scan(let id):
            guard let channel = channels[id], let pending = channel.pending else { return }
            if let result = pending.handle(revents: revents) {
                finish(channel, result: result)
            }
        }
    }

    /// New worker channels from the master. EOF on fd 3 means the master is
    /// gone or wants us gone: the scans in progress are finished first.
    private func serveMaster() {
        let (descriptors, masterClosed) = master.takeWorkerChannels(role: "scan", open: channels.count, limit: Self.maximumChannels)
        for fd in descriptors {
            let id = nextChannelID
            nextChannelID += 1
            channels[id] = ScannerChannel(id: id, fd: fd)
        }
        if masterClosed && drainUntil == nil {
            drainUntil = monotonicSeconds() + longestTimeout + 5
        }
    }

    private func serve(_ channel: ScannerChannel) {
        let requests: [ScanIPCMessage]
        switch channel.read(into: &chunk) {
        case .closed(let why):
            drop(channel, reason: why)
            return
        case .messages(let messages):
            requests = messages
        }
        // Scan requests only: the channel's inbox takes no other kind from a worker.
        for request in requests {
            start(request, on: channel)
        }
    }

    private func start(_ request: ScanIPCMessage, on channel: ScannerChannel) {
        if let previous = channel.pending {
            ChildLog.debug("scan: channel \(channel.id): scan \(previous.scanID) dropped, the worker has moved on")
            channel.pending = nil
        }
        switch request {
        case .scan(let id, let user, let message):
            start(id: id, on: channel, target: spamd, size: message.count,
                  request: { _ in SpamdRequest.encoded(user: user.isEmpty ? nil : user, message: message) },
                  format: SpamdReply.self, result: { .result(id: $0, outcome: $1) })
        case .rspamdScan(let id, let fields, let message):
            start(id: id, on: channel, target: rspamd, size: message.count,
                  request: { RspamdRequest.encoded(fields, message: message, host: $0.hostHeader) },
                  format: RspamdReply.self, result: { .rspamdResult(id: $0, outcome: $1) })
        case .clamdScan(let id, let message):
            start(id: id, on: channel, target: clamd, size: message.count,
                  request: { _ in ClamdRequest.encoded(message: message) },
                  format: ClamdReply.self, result: { .clamdResult(id: $0, outcome: $1) })
        case .result, .rspamdResult, .clamdResult:
            // IPCInbox<WorkerToScanner> decodes no result kind.
            break
        }
    }

    private func start<Reply: ScanReplyFormat>(id: UInt32, on channel: ScannerChannel, target: ScannerTarget?, size: Int,
                                               request: (ScannerTarget) -> [UInt8], format: Reply.Type,
                                               result: @escaping (UInt32, ScanOutcome<Reply.Verdict>) -> ScanIPCMessage) {
        guard let target else {
            reply(channel, result(id, .failed(.unavailable("the scanner process was not started for it"))))
            return
        }
        let address: SpamdAddress
        switch target.address {
        case .failure(let error):
            reply(channel, result(id, .failed(.unreachable("\(error)"))))
            return
        case .success(let resolved):
            address = resolved
        }
        switch ScanExchange<Reply>.start(address, request: request(target)) {
        case .failure(let failure):
            reply(channel, result(id, .failed(failure)))
        case .success(let exchange):
            channel.pending = PendingScan(id: id, exchange: exchange, deadline: monotonicSeconds() + target.timeout, result: result)
            ChildLog.debug("scan: channel \(channel.id): scan \(id), \(size) bytes to \(target.name) at \(address)")
        }
    }

    private func finish(_ channel: ScannerChannel, result: ScanIPCMessage) {
        guard let pending = channel.pending else { return }
        channel.pending = nil
        ChildLog.debug("scan: channel \(channel.id): scan \(pending.scanID): \(result.summary)")
        reply(channel, result)
    }

    private func reply(_ channel: ScannerChannel, _ result: ScanIPCMessage) {
        if !channel.end.send(result.frame) {
            drop(channel, reason: "the worker is not reading its results")
        }
    }

    private func drop(_ channel: ScannerChannel, reason: String) {
        guard channels.removeValue(forKey: channel.id) != nil else { return }
        ChildLog.debug("scan: channel \(channel.id) dropped: \(reason)")
    }
}
