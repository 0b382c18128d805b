#if canImport(Glibc)
import Glibc
#endif
import MailAuth
import ProcessLog
import SystemIO

/// The worker's `DNSResolver`: asks the DNS helper over the worker's
/// socketpair. It runs inside the worker's seccomp jail, so it uses only
/// sendto/recvfrom (send/recv with MSG_DONTWAIT: no fcntl needed to make
/// the socket non-blocking), poll and clock_gettime, on the caller's
/// thread: no Dispatch, no Swift concurrency, no Foundation.
///
/// A batch is pipelined: every query is written first, then answers are
/// read as they come (in any order, matched by id) until all are in or the
/// deadline passes. A dead or stuck helper therefore costs at most
/// `timeoutSeconds` and yields `.timeout` outcomes, never a hang. After
/// the helper has closed the socket, every lookup fails at once.
public final class DNSHelperClient: DNSResolver {
    public let fd: Int32
    /// Seconds a whole batch may take. The helper bounds each lookup by
    /// `dns_timeout` (retries included), so a little above that is enough;
    /// the helper's own timeout (with its log line and short hold in the
    /// cache) then normally fires first.
    public var timeoutSeconds: Double
    public private(set) var isBroken = false

    /// Answers the helper said may be kept (`keepSeconds`), so a worker
    /// asks once per name and TTL instead of once per message: a lookup
    /// served here costs no IPC round trip (issue 12). Small and bounded
    /// (oldest out first): the helper's cache is the big shared one.
    private var cache = DNSCache(limits: DNSHelperClient.cacheLimits)
    public static let cacheLimits = DNSCache.Limits(maximumEntries: 2_048, maximumBytes: 2 << 20, failureHold: 0)
    /// Lookups answered from the worker's own cache, and sent to the helper.
    public private(set) var cacheHits = 0
    public private(set) var helperQueries = 0

    private var nextID: UInt32 = 1
    private var inbox = IPCInbox(receiving: DNSHelperToWorker.self)
    private var chunk = [UInt8](repeating: 0, count: 65536)

    /// `fd` is the worker's connected end of its socketpair to the helper;
    /// the client does not own it (the worker closes it when it exits).
    public init(fd: Int32, timeoutSeconds: Double = 12) {
        self.fd = fd
        self.timeoutSeconds = timeoutSeconds
    }

    public func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] {
        guard !questions.isEmpty else { return [] }
        let now = Self.milliseconds()
        // One question whose answer is cached (most lookups of a busy
        // worker): answered without the batch's bookkeeping (issue 12).
        if questions.count == 1, let cached = cache.lookup(questions[0], now: now) {
            cacheHits += 1
            return [cached]
        }
        // The same question twice in one batch is asked once.
        var unique: [DNSQuestion] = []
        var slots: [Int] = []
        if questions.count == 1 {
            // Most lookups ask one question: nothing to coalesce.
            unique = questions
            slots = [0]
        } else {
            var slotOf: [DNSQuestion: Int] = [:]
            for question in questions {
                let key = question.normalized
                if let slot = slotOf[key] {
                    slots.append(slot)
                } else {
                    slotOf[key] = unique.count
                    slots.append(unique.count)
                    unique.append(question)
                }
            }
        }
        var results = [DNSOutcome](repeating: .timeout, count: unique.count)
        var keep = [UInt32](repeating: 0, count: unique.count)
        var missing: [Int] = []
        for (index, question) in unique.enumerated() {
            if let cached = cache.lookup(question, now: now) {
                results[index] = cached
                cacheHits += 1
            } else {
                missing.append(index)
            }
        }
        let end = monotonicSeconds() + timeoutSeconds
        var start = 0
        while start < missing.count {
            let stop = min(missing.count, start + DNSIPCMessage.maximumInFlightPerChannel)
            exchange(unique, indices: missing[start..<stop], into: &results, keep: &keep, until: end)
            start = stop
        }
        helperQueries += missing.count
        let stored = Self.milliseconds()
        for index in missing where keep[index] > 0 {
            cache.store(unique[index], outcome: results[index], ttl: keep[index], now: stored)
        }
        return slots.map { results[$0] }
    }

    static func milliseconds() -> UInt64 {
        UInt64(monotonicSeconds() * 1000)
    }

    /// Sends the queries at `indices`, then collects their answers.
    private func exchange(_ questions: [DNSQuestion], indices: ArraySlice<Int>, into results: inout [DNSOutcome],
                          keep: inout [UInt32], until end: Double) {
        guard !isBroken else { return }
        var pending: [UInt32: Int] = [:]
        var out: [UInt8] = []
        for index in indices {
            let id = nextID
            nextID = nextID == UInt32.max ? 1 : nextID + 1
            pending[id] = index
            out += DNSIPCMessage.query(id: id, question: questions[index]).frame.encoded()
        }
        guard send(out, until: end) else {
            if !isBroken { ChildLog.warning("DNS helper not accepting queries within \(timeoutSeconds)s: \(indices.count) lookup(s) timed out") }
            return
        }
        while !pending.isEmpty {
            while let frame = nextFrame() {
                guard case .answer(let id, let outcome, let keepSeconds)? = try? DNSIPCMessage(frame: frame) else {
                    fail("undecodable answer from the DNS helper")
                    return
                }
                // Unknown ids are late answers to a batch that timed out.
                if let index = pending.removeValue(forKey: id) {
                    results[index] = outcome
                    keep[index] = keepSeconds
                }
            }
            if pending.isEmpty || isBroken { break }
            let left = end - monotonicSeconds()
            guard left > 0 else { break }
            guard waitFor(Int16(POLLIN), milliseconds: left) else { continue }
            receive()
        }
        if !pending.isEmpty && !isBroken {
            let names = pending.values.sorted().prefix(3).map { questions[$0].description }.joined(separator: ", ")
            ChildLog.warning("DNS helper gave no answer within \(timeoutSeconds)s for \(pending.count) lookup(s) (\(names)): reported as timeout")
        }
    }

    private func nextFrame() -> IPCFrame? {
        guard !isBroken else { return nil }
        do {
            guard let message = try inbox.next(DNSHelperToWorker.self) else { return nil }
            return IPCFrame(message.kind, payload: message.payload)
        } catch {
            fail("broken message from the DNS helper (\(error))")
            return nil
        }
    }

    private func send(_ bytes: [UInt8], until end: Double) -> Bool {
        do {
            try SystemCall.sendAll(socket: fd, bytes: bytes, flags: Int32(MSG_DONTWAIT), whenFull: .wait(until: end))
            return true
        } catch where error == .deadlinePassed {
            return false
        } catch {
            fail("DNS helper channel closed (\(error.reason))")
            return false
        }
    }

    private func receive() {
        if case .finished(let why) = inbox.receive(from: fd, using: &chunk, peer: "the DNS helper") { fail(why) }
    }

    /// Polls for `events`; true when the socket is ready (or in error,
    /// which the following call reports).
    private func waitFor(_ events: Int16, milliseconds seconds: Double) -> Bool {
        var p = [pollfd(fd: fd, events: events, revents: 0)]
        let ready = try? SystemCall.poll(&p, timeoutMilliseconds: max(1, SystemCall.milliseconds(seconds)))
        return (ready ?? 0) > 0
    }

    private func fail(_ reason: String) {
        if !isBroken { ChildLog.error("\(reason): DNS lookups fail from now on") }
        isBroken = true
    }
}
