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
/// connection to spamd of each scan in progress; the scans' deadlines
/// become poll's timeout.
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
    private let target: Result<SpamdAddress, SpamdAddress.ResolveError>
    private let timeout: Double
    private var channels: [UInt64: ScannerChannel] = [:]
    private var nextChannelID: UInt64 = 1
    private var chunk = [UInt8](repeating: 0, count: 65536)
    /// Set when the master closed fd 3: the workers' scans in progress
    /// are finished (until this time at most), then the scanner exits.
    private var drainUntil: Double?

    private enum Target {
        case master
        case channel(UInt64)
        case spamd(UInt64)
    }

    init(target: Result<SpamdAddress, SpamdAddress.ResolveError>, timeout: Double) {
        self.target = target
        self.timeout = timeout
    }

    func run() -> Never {
        var fds: [pollfd] = []
        var targets: [Target] = []
        while true {
            let now = monotonicSeconds()
            expireScans(now: now)
            if let drainUntil, channels.isEmpty || now >= drainUntil {
                ChildLog.info("scan: master channel closed, exiting")
                exit(0)
            }
            fds.removeAll(keepingCapacity: true)
            targets.removeAll(keepingCapacity: true)
            if drainUntil == nil {
                fds.append(pollfd(fd: Self.masterFD, events: Int16(POLLIN), revents: 0))
                targets.append(.master)
            }
            var next = drainUntil ?? now + 60
            for (id, channel) in channels {
                let events = Int16(POLLIN) | (channel.end.wantsToWrite ? Int16(POLLOUT) : 0)
                fds.append(pollfd(fd: channel.end.fd, events: events, revents: 0))
                targets.append(.channel(id))
                if let pending = channel.pending {
                    fds.append(pollfd(fd: pending.exchange.fd, events: pending.exchange.pollEvents, revents: 0))
                    targets.append(.spamd(id))
                    next = min(next, pending.deadline)
                }
            }
            let ready: Int
            do {
                ready = try SystemCall.poll(&fds, timeoutMilliseconds: SystemCall.milliseconds(next - now))
            } catch {
                ChildLog.critical("scan: \(error)")
                exit(1)
            }
            guard ready > 0 else { continue }
            for (index, entry) in fds.enumerated() where entry.revents != 0 {
                dispatch(targets[index], revents: entry.revents)
            }
        }
    }

    private func expireScans(now: Double) {
        for channel in channels.values {
            guard let pending = channel.pending, now >= pending.deadline else { continue }
            finish(channel, outcome: pending.exchange.timedOut())
        }
    }

    private func dispatch(_ target: Target, revents: Int16) {
        switch target {
        case .master:
            serveMaster()
        case .channel(let id):
            guard let channel = channels[id] else { return }
            if revents & Int16(POLLOUT) != 0 && !channel.end.flush() {
                drop(channel, reason: "write failed")
                return
            }
            if revents & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR) | Int16(POLLNVAL)) != 0 {
                serve(channel)
            }
        case .spamd(let id):
            guard let channel = channels[id], let pending = channel.pending else { return }
            if case .finished(let outcome) = pending.exchange.handle(revents: revents) {
                finish(channel, outcome: outcome)
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
            drainUntil = monotonicSeconds() + timeout + 5
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
        // Scans only: the channel's inbox takes no other kind from a worker.
        for case .scan(let id, let user, let bytes) in requests {
            start(id: id, user: user, message: bytes, on: channel)
        }
    }

    private func start(id: UInt32, user: String, message: [UInt8], on channel: ScannerChannel) {
        if let previous = channel.pending {
            ChildLog.debug("scan: channel \(channel.id): scan \(previous.scanID) dropped, the worker has moved on")
            channel.pending = nil
        }
        let address: SpamdAddress
        switch target {
        case .failure(let error):
            reply(channel, id: id, outcome: .failed(.unreachable("\(error)")))
            return
        case .success(let resolved):
            address = resolved
        }
        let request = SpamdRequest.encoded(user: user.isEmpty ? nil : user, message: message)
        switch SpamdExchange.start(address, request: request) {
        case .failure(let failure):
            reply(channel, id: id, outcome: .failed(failure))
        case .success(let exchange):
            channel.pending = (id, exchange, monotonicSeconds() + timeout)
            ChildLog.debug("scan: channel \(channel.id): scan \(id), \(message.count) bytes to \(address)")
        }
    }

    private func finish(_ channel: ScannerChannel, outcome: SpamdScanOutcome) {
        guard let pending = channel.pending else { return }
        channel.pending = nil
        ChildLog.debug("scan: channel \(channel.id): scan \(pending.scanID): \(outcome)")
        reply(channel, id: pending.scanID, outcome: outcome)
    }

    private func reply(_ channel: ScannerChannel, id: UInt32, outcome: SpamdScanOutcome) {
        if !channel.end.send(ScanIPCMessage.result(id: id, outcome: outcome).frame) {
            drop(channel, reason: "the worker is not reading its results")
        }
    }

    private func drop(_ channel: ScannerChannel, reason: String) {
        guard channels.removeValue(forKey: channel.id) != nil else { return }
        ChildLog.debug("scan: channel \(channel.id) dropped: \(reason)")
    }
}
