#if canImport(Glibc)
import Glibc
#endif
import IPC
import MailAuth
import ProcessLog
import SystemIO

/// The helper's single-threaded poll loop (no Dispatch, no Swift
/// concurrency: Dispatch opens /proc/<tid>/stat while work is queued and
/// dies under the filter; docs/sandbox.md). It watches fd 3 (the
/// master, which hands over one channel per worker), every worker channel,
/// and the UDP/TCP sockets of lookups in progress; deadlines and retry
/// times become poll's timeout.
///
/// Identical questions in flight from any workers are coalesced into one
/// `Resolution`; finished outcomes go into the one `DNSCache`.
final class HelperServer {
    static let masterFD = ChildDescriptor.master.fd
    /// Worker channels served at once (the pool is far smaller).
    static let maximumChannels = 4096
    /// Distinct questions resolved upstream at once; more wait in line
    /// (each holds up to two sockets, and fds are limited).
    static let maximumActiveResolutions = 512
    /// How often expired cache entries are swept (µs).
    static let purgeInterval: UInt64 = 60_000_000

    private enum Target {
        case master
        case channel(UInt64)
        case udp(DNSQuestion, Int32)
        case tcp(DNSQuestion, Int32)
    }

    private let master = IPCChannel(fd: HelperServer.masterFD, receiving: MasterToHelper.self)
    private let config: UpstreamConfig
    private var cache: DNSCache
    private var channels: [UInt64: WorkerChannel] = [:]
    private var nextChannelID: UInt64 = 1
    private var resolutions: [DNSQuestion: Resolution] = [:]
    /// Resolutions created but not yet started (over the active cap).
    private var backlog: [DNSQuestion] = []
    private var datagram = [UInt8](repeating: 0, count: 65536)
    private var chunk = [UInt8](repeating: 0, count: 65536)
    private var lastPurge: UInt64

    init(config: UpstreamConfig, cache: DNSCache = DNSCache()) {
        self.config = config
        self.cache = cache
        lastPurge = MonotonicClock.now()
    }

    func run() -> Never {
        var fds: [pollfd] = []
        var targets: [Target] = []
        while true {
            let now = MonotonicClock.now()
            runTimers(now: now)
            fds.removeAll(keepingCapacity: true)
            targets.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: Self.masterFD, events: Int16(POLLIN), revents: 0))
            targets.append(.master)
            for (id, channel) in channels {
                let events = Int16(POLLIN) | (channel.wantsToWrite ? Int16(POLLOUT) : 0)
                fds.append(pollfd(fd: channel.fd, events: events, revents: 0))
                targets.append(.channel(id))
            }
            for (key, resolution) in resolutions {
                guard let upstream = resolution.upstream else { continue }
                for fd in [upstream.udp4, upstream.udp6] where fd >= 0 {
                    fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
                    targets.append(.udp(key, fd))
                }
                if let tcp = upstream.tcp {
                    fds.append(pollfd(fd: tcp.fd, events: tcp.pollEvents, revents: 0))
                    targets.append(.tcp(key, tcp.fd))
                }
            }
            let ready: Int
            do {
                ready = try SystemCall.poll(&fds, timeoutMilliseconds: pollTimeout(now: now))
            } catch {
                ChildLog.critical("dns: \(error)")
                exit(1)
            }
            guard ready > 0 else { continue }
            let after = MonotonicClock.now()
            for (index, entry) in fds.enumerated() where entry.revents != 0 {
                dispatch(targets[index], revents: entry.revents, now: after)
            }
        }
    }

    // MARK: Time

    /// Milliseconds until the next deadline or retry (at most a minute, for
    /// the cache sweep).
    private func pollTimeout(now: UInt64) -> Int32 {
        var next = now + Self.purgeInterval
        for resolution in resolutions.values {
            next = min(next, resolution.deadline)
            if let upstream = resolution.upstream { next = min(next, upstream.nextAttemptAt) }
        }
        guard next > now else { return 0 }
        return Int32(min(60_000, (next - now + 999) / 1000))
    }

    private func runTimers(now: UInt64) {
        if now - lastPurge >= Self.purgeInterval {
            cache.purgeExpired(now: now / 1000)
            lastPurge = now
        }
        for key in Array(resolutions.keys) {
            guard let resolution = resolutions[key] else { continue }
            if now >= resolution.deadline {
                finish(key, outcome: resolution.timedOut(now: now), ttl: 0, now: now)
            } else if let upstream = resolution.upstream, now >= upstream.nextAttemptAt {
                apply(resolution.progress(upstream.timerFired(now: now), now: now, cache: &cache), key: key, now: now)
            }
        }
        startBacklog(now: now)
    }

    // MARK: Events

    private func dispatch(_ target: Target, revents: Int16, now: UInt64) {
        switch target {
        case .master:
            serveMaster()
        case .channel(let id):
            guard let channel = channels[id] else { return }
            if revents & Int16(POLLOUT) != 0 && !channel.flush() {
                drop(channel, reason: "write failed")
                return
            }
            if revents & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR) | Int16(POLLNVAL)) != 0 {
                serve(channel, now: now)
            }
        case .udp(let key, let fd):
            guard let resolution = resolutions[key], let upstream = resolution.upstream,
                  upstream.udp4 == fd || upstream.udp6 == fd else { return }
            let event = upstream.udpReadable(fd: fd, now: now, buffer: &datagram)
            apply(resolution.progress(event, now: now, cache: &cache), key: key, now: now)
        case .tcp(let key, let fd):
            guard let resolution = resolutions[key], let upstream = resolution.upstream, upstream.tcp?.fd == fd else { return }
            let event = upstream.tcpEvent(revents: revents, now: now)
            apply(resolution.progress(event, now: now, cache: &cache), key: key, now: now)
        }
    }

    /// New worker channels from the master. EOF on fd 3 means the master is
    /// gone or wants us gone: exit 0, as every child does.
    private func serveMaster() {
        let (descriptors, masterClosed) = master.takeWorkerChannels(role: "dns", open: channels.count, limit: Self.maximumChannels)
        for fd in descriptors {
            let id = nextChannelID
            nextChannelID += 1
            channels[id] = WorkerChannel(id: id, fd: fd, label: "channel \(id)")
        }
        if masterClosed {
            ChildLog.info("dns: master channel closed, exiting")
            exit(0)
        }
    }

    private func serve(_ channel: WorkerChannel, now: UInt64) {
        switch channel.read(into: &chunk) {
        case .closed(let why):
            drop(channel, reason: why)
        case .frames(let frames):
            for frame in frames {
                guard channels[channel.id] != nil else { return }
                switch try? DNSIPCMessage(frame: frame) {
                case .query(let id, let question)?:
                    handleQuery(id: id, question: question, on: channel, now: now)
                default:
                    drop(channel, reason: "unexpected message (kind \(frame.kind)) from the worker")
                    return
                }
            }
        }
    }

    private func handleQuery(id: UInt32, question: DNSQuestion, on channel: WorkerChannel, now: UInt64) {
        guard channel.inFlight < DNSIPCMessage.maximumInFlightPerChannel else {
            ChildLog.warning("dns: \(channel.label) has \(channel.inFlight) queries in flight, refusing \(question)")
            reply(channel, id: id, outcome: .error("too many DNS queries in flight"))
            return
        }
        let key = question.normalized
        if let cached = cache.lookupWithLifetime(key, now: now / 1000) {
            ChildLog.debug("dns: \(key) from cache: \(cached.outcome)")
            reply(channel, id: id, outcome: cached.outcome, keepSeconds: Self.workerKeep(cached.outcome, seconds: cached.secondsLeft))
            return
        }
        channel.inFlight += 1
        if let resolution = resolutions[key] {
            ChildLog.debug("dns: \(key) joins a lookup in flight")
            resolution.waiters.append(.init(channel: channel.id, id: id))
            return
        }
        let resolution = Resolution(key: key, config: config, now: now)
        resolution.waiters.append(.init(channel: channel.id, id: id))
        resolutions[key] = resolution
        if resolutions.count - backlog.count > Self.maximumActiveResolutions {
            backlog.append(key)
        } else {
            start(resolution, now: now)
        }
    }

    private func start(_ resolution: Resolution, now: UInt64) {
        apply(resolution.ask(resolution.follower.currentQuestion, now: now, cache: &cache), key: resolution.key, now: now)
    }

    private func startBacklog(now: UInt64) {
        while !backlog.isEmpty && resolutions.count - backlog.count < Self.maximumActiveResolutions {
            let key = backlog.removeFirst()
            if let resolution = resolutions[key] { start(resolution, now: now) }
        }
    }

    private func apply(_ progress: Resolution.Progress, key: DNSQuestion, now: UInt64) {
        if case .finished(let outcome, let ttl) = progress {
            finish(key, outcome: outcome, ttl: ttl, now: now)
        }
    }

    private func finish(_ key: DNSQuestion, outcome: DNSOutcome, ttl: UInt32, now: UInt64) {
        guard let resolution = resolutions.removeValue(forKey: key) else { return }
        if let index = backlog.firstIndex(of: key) { backlog.remove(at: index) }
        cache.store(key, outcome: outcome, ttl: ttl, now: now / 1000)
        let keep = Self.workerKeep(outcome, seconds: cache.lifetime(of: outcome, ttl: ttl))
        ChildLog.debug("dns: \(key): \(outcome) for \(resolution.waiters.count) waiter(s)")
        for waiter in resolution.waiters {
            guard let channel = channels[waiter.channel] else { continue }
            channel.inFlight -= 1
            reply(channel, id: waiter.id, outcome: outcome, keepSeconds: keep)
        }
    }

    /// How long a worker may keep an outcome: what this cache keeps it for,
    /// but never a failure (the helper's short hold decides when a failing
    /// name is asked again, for every worker at once).
    static func workerKeep(_ outcome: DNSOutcome, seconds: UInt32) -> UInt32 {
        outcome.isTemporaryFailure ? 0 : seconds
    }

    private func reply(_ channel: WorkerChannel, id: UInt32, outcome: DNSOutcome, keepSeconds: UInt32 = 0) {
        if !channel.send(DNSIPCMessage.answer(id: id, outcome: outcome, keepSeconds: keepSeconds).frame) {
            drop(channel, reason: "the worker is not reading its answers")
        }
    }

    private func drop(_ channel: WorkerChannel, reason: String) {
        guard channels.removeValue(forKey: channel.id) != nil else { return }
        ChildLog.debug("dns: \(channel.label) dropped: \(reason)")
    }
}
