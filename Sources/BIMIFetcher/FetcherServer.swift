#if canImport(Glibc)
import Glibc
#endif
import IPC
import MailAuth
import ProcessLog
import SystemIO

/// The fetch helper's single-threaded poll loop (no Dispatch, no Swift
/// concurrency; docs/sandbox.md). It watches fd 3 (the master, which hands
/// over one channel per worker), every worker channel and the connection
/// of each fetch in flight; deadlines become poll's timeout.
///
/// At most `maximumFetches` fetches are in flight across all workers (the
/// one global cap); others wait in arrival order, and one whose budget ran
/// out while waiting fails. One fetch per channel: a new request on a
/// channel means the worker gave up on the one before, which is dropped.
final class FetcherServer {
    static let masterFD = ChildDescriptor.master.fd
    static let maximumChannels = 4096
    /// The longest budget a request may ask for.
    static let maximumBudgetSeconds = 60.0

    private struct Waiting {
        var channel: UInt64
        var id: UInt32
        var request: BIMIFetchRequest
        var url: BIMIHTTPSURL
        var deadline: Double
    }

    private final class Channel {
        let id: UInt64
        let end: HelperChannelEnd<WorkerToBIMIFetcher>
        /// The fetch in flight for it: its id, its cache key, the exchange.
        var active: (id: UInt32, key: String, exchange: FetchExchange)?
        init(id: UInt64, fd: Int32) {
            self.id = id
            end = HelperChannelEnd(fd: fd, maximumOutput: 4 << 20)
        }
    }

    private let master = IPCChannel(fd: FetcherServer.masterFD, receiving: MasterToHelper.self)
    private let tls: TLSClientContext
    private let options: FetcherOptions
    private var cache = FetchCache()
    private var channels: [UInt64: Channel] = [:]
    private var waiting: [Waiting] = []
    private var nextChannelID: UInt64 = 1
    private var chunk = [UInt8](repeating: 0, count: 65536)
    private var drainUntil: Double?

    private enum Target { case master, channel(UInt64), fetch(UInt64) }

    init(options: FetcherOptions, tls: TLSClientContext) {
        self.options = options
        self.tls = tls
    }

    private var inFlight: Int { channels.values.reduce(0) { $0 + ($1.active == nil ? 0 : 1) } }

    func run() -> Never {
        var polled = PollSet<Target>()
        while true {
            let now = monotonicSeconds()
            expire(now: now)
            if let drainUntil, (channels.values.allSatisfy { $0.active == nil } && waiting.isEmpty) || now >= drainUntil {
                ChildLog.info("bimi-fetch: master channel closed, exiting")
                exit(0)
            }
            polled.removeAll()
            if drainUntil == nil { polled.watch(Self.masterFD, events: Int16(POLLIN), as: .master) }
            var next = drainUntil ?? now + 60
            for waiter in waiting { next = min(next, waiter.deadline) }
            for (id, channel) in channels {
                polled.watch(channel.end.fd, events: channel.end.pollEvents, as: .channel(id))
                if let active = channel.active {
                    polled.watch(active.exchange.fd, events: active.exchange.pollEvents, as: .fetch(id))
                    next = min(next, active.exchange.deadline)
                }
            }
            let ready: [(target: Target, revents: Int16)]
            do {
                ready = try polled.wait(timeoutMilliseconds: SystemCall.milliseconds(next - now))
            } catch {
                ChildLog.critical("bimi-fetch: \(error)")
                exit(1)
            }
            for (target, revents) in ready { dispatch(target, revents: revents) }
        }
    }

    private func expire(now: Double) {
        for channel in channels.values {
            guard let active = channel.active, now >= active.exchange.deadline else { continue }
            finish(channel, active.id, key: nil, active.exchange.timedOut())
        }
        let late = waiting.filter { $0.deadline <= now }
        waiting.removeAll { $0.deadline <= now }
        for waiter in late {
            guard let channel = channels[waiter.channel] else { continue }
            reply(channel, .fetched(id: waiter.id, outcome: .failed("waited for a free fetch slot beyond the budget")))
        }
    }

    private func dispatch(_ target: Target, revents: Int16) {
        switch target {
        case .master:
            let (descriptors, masterClosed) = master.takeWorkerChannels(role: "bimi-fetch", open: channels.count, limit: Self.maximumChannels)
            for fd in descriptors {
                channels[nextChannelID] = Channel(id: nextChannelID, fd: fd)
                nextChannelID += 1
            }
            if masterClosed && drainUntil == nil { drainUntil = monotonicSeconds() + Self.maximumBudgetSeconds }
        case .channel(let id):
            guard let channel = channels[id] else { return }
            switch channel.end.afterPoll(revents: revents) {
            case .writeFailed: drop(channel, reason: "write failed")
            case .readable: serve(channel)
            case .idle: break
            }
        case .fetch(let id):
            guard let channel = channels[id], let active = channel.active else { return }
            if let outcome = active.exchange.handle(revents: revents) { finish(channel, active.id, key: active.key, outcome) }
        }
    }

    private func serve(_ channel: Channel) {
        switch channel.end.read(into: &chunk) {
        case .closed(let why):
            drop(channel, reason: why)
        case .messages(let messages):
            for message in messages {
                guard case .fetch(let id, let request)? = try? BIMIFetchIPCMessage(frame: IPCFrame(message.kind, payload: message.payload)) else {
                    drop(channel, reason: "undecodable request")
                    return
                }
                accept(id, request, on: channel)
            }
        }
    }

    private func accept(_ id: UInt32, _ request: BIMIFetchRequest, on channel: Channel) {
        // The worker moved on from whatever it asked before.
        channel.active = nil
        waiting.removeAll { $0.channel == channel.id }
        let now = monotonicSeconds()
        let key = FetchCache.key(request.kind, request.url)
        if let body = cache.body(for: key, now: now), body.count <= request.maximumBytes {
            ChildLog.debug("bimi-fetch: channel \(channel.id): \(request.url) from the cache")
            reply(channel, .fetched(id: id, outcome: .fetched(body)))
            return
        }
        guard let url = BIMIHTTPSURL(request.url) else {
            reply(channel, .fetched(id: id, outcome: .failed("not an https URI this helper fetches")))
            return
        }
        let usable = (url.address.map { [$0] } ?? request.addresses).filter { options.allowPrivateAddresses || $0.isPublicUnicast }
        guard !usable.isEmpty else {
            reply(channel, .fetched(id: id, outcome: .failed("no public address for \(url.host)")))
            return
        }
        var valid = request
        valid.addresses = usable
        let budget = min(Double(request.budgetMilliseconds) / 1000, Self.maximumBudgetSeconds)
        waiting.append(Waiting(channel: channel.id, id: id, request: valid, url: url, deadline: now + budget))
        startWaiting()
    }

    /// Starts waiting fetches while there is room under the cap.
    private func startWaiting() {
        while inFlight < options.maximumFetches, !waiting.isEmpty {
            let next = waiting.removeFirst()
            guard let channel = channels[next.channel] else { continue }
            let exchange = FetchExchange(url: next.url, addresses: next.request.addresses, maximumBytes: next.request.maximumBytes,
                                         deadline: next.deadline, tls: tls)
            let key = FetchCache.key(next.request.kind, next.request.url)
            ChildLog.debug("bimi-fetch: channel \(channel.id): fetching \(next.request.url)")
            if let outcome = exchange.start() {
                reply(channel, .fetched(id: next.id, outcome: outcome))
                continue
            }
            channel.active = (next.id, key, exchange)
        }
    }

    private func finish(_ channel: Channel, _ id: UInt32, key: String?, _ outcome: BIMIFetchOutcome) {
        channel.active = nil
        if case .fetched(let body) = outcome, let key { cache.store(body, for: key, now: monotonicSeconds()) }
        if case .failed(let why) = outcome { ChildLog.debug("bimi-fetch: channel \(channel.id): fetch \(id) failed: \(why)") }
        reply(channel, .fetched(id: id, outcome: outcome))
        startWaiting()
    }

    private func reply(_ channel: Channel, _ message: BIMIFetchIPCMessage) {
        if !channel.end.send(message.frame) { drop(channel, reason: "the worker is not reading its answers") }
    }

    private func drop(_ channel: Channel, reason: String) {
        guard channels.removeValue(forKey: channel.id) != nil else { return }
        channel.active = nil
        waiting.removeAll { $0.channel == channel.id }
        ChildLog.debug("bimi-fetch: channel \(channel.id) dropped: \(reason)")
        startWaiting()
    }
}
