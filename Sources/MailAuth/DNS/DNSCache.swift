/// The DNS helper's one cache, shared by all workers. A pure value: the
/// clock is injected (`now`, monotonic milliseconds from any origin) so the
/// TTL rules are tested without sleeping.
///
/// Policy (docs/dns.md):
/// - answers live for their TTL (the smallest along the CNAME chain),
///   capped at `maximumPositiveTTL`; TTL 0 is not stored;
/// - NXDOMAIN and NODATA live for the RFC 2308 negative TTL, min(SOA TTL,
///   SOA MINIMUM), capped at `maximumNegativeTTL`; no SOA, not stored;
/// - SERVFAIL, timeouts and errors are held for `failureHold` seconds, so a
///   dead domain asked for by every message does not cost every worker a
///   full timeout, yet recovers quickly;
/// - a hit reports the TTL left, never the original one.
///
/// Memory is bounded by entry count and by approximate bytes; when either
/// is exceeded the oldest insertions go first (FIFO: cheap, and in a cache
/// of short TTLs the oldest entries are the nearest to expiry anyway).
public struct DNSCache: Sendable {
    public struct Limits: Sendable, Equatable {
        public var maximumEntries: Int
        public var maximumBytes: Int
        public var maximumPositiveTTL: UInt32
        public var maximumNegativeTTL: UInt32
        public var failureHold: UInt32

        public init(maximumEntries: Int = 50_000, maximumBytes: Int = 64 << 20,
                    maximumPositiveTTL: UInt32 = 86_400, maximumNegativeTTL: UInt32 = 3_600,
                    failureHold: UInt32 = 5) {
            self.maximumEntries = maximumEntries
            self.maximumBytes = maximumBytes
            self.maximumPositiveTTL = maximumPositiveTTL
            self.maximumNegativeTTL = maximumNegativeTTL
            self.failureHold = failureHold
        }
    }

    private struct Entry: Sendable {
        var outcome: DNSOutcome
        var expires: UInt64
        var size: Int
        var generation: UInt64
    }

    public let limits: Limits
    private var entries: [DNSQuestion: Entry] = [:]
    /// Insertion order for eviction; stale slots (a key re-stored since)
    /// are recognised by their generation and skipped.
    private var order: [(key: DNSQuestion, generation: UInt64)] = []
    private var orderHead = 0
    private var nextGeneration: UInt64 = 0
    public private(set) var bytes = 0

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    public var count: Int { entries.count }

    /// How long (seconds) an outcome may be kept. `ttl` is what DNS says
    /// (`DNSChainFollower.Step.finished`'s ttl).
    public func lifetime(of outcome: DNSOutcome, ttl: UInt32) -> UInt32 {
        switch outcome {
        case .answer: return min(ttl, limits.maximumPositiveTTL)
        case .nxdomain, .nodata: return min(ttl, limits.maximumNegativeTTL)
        case .servfail, .timeout, .error: return limits.failureHold
        }
    }

    /// The cached outcome, with the TTL of an answer lowered to what is
    /// left, or nil (expired entries are dropped on the way).
    public mutating func lookup(_ question: DNSQuestion, now: UInt64) -> DNSOutcome? {
        lookupWithLifetime(question, now: now)?.outcome
    }

    /// The cached outcome as `lookup` gives it, and the whole seconds it
    /// has left here (rounded down, so a copy kept elsewhere for that long
    /// never outlives this entry).
    public mutating func lookupWithLifetime(_ question: DNSQuestion, now: UInt64) -> (outcome: DNSOutcome, secondsLeft: UInt32)? {
        let key = question.normalized
        guard let entry = entries[key] else { return nil }
        guard entry.expires > now else {
            remove(key)
            return nil
        }
        let secondsLeft = UInt32(min(UInt64(UInt32.max), (entry.expires - now) / 1000))
        if case .answer(let records, _) = entry.outcome {
            // Round up: an entry with 300 ms left still reports 1 s.
            let left = UInt32(min(UInt64(UInt32.max), (entry.expires - now + 999) / 1000))
            return (.answer(records, ttl: left), secondsLeft)
        }
        return (entry.outcome, secondsLeft)
    }

    /// Stores an outcome for its lifetime; a zero lifetime stores nothing
    /// (and forgets an older entry, which is now stale).
    public mutating func store(_ question: DNSQuestion, outcome: DNSOutcome, ttl: UInt32, now: UInt64) {
        let key = question.normalized
        let seconds = lifetime(of: outcome, ttl: ttl)
        remove(key)
        guard seconds > 0 else { return }
        let size = 96 + key.name.utf8.count + outcome.records.reduce(0) { $0 + $1.approximateSize }
        // One entry larger than the whole budget is not worth keeping.
        guard size <= limits.maximumBytes, limits.maximumEntries > 0 else { return }
        nextGeneration += 1
        entries[key] = Entry(outcome: outcome, expires: now + UInt64(seconds) * 1000, size: size, generation: nextGeneration)
        order.append((key, nextGeneration))
        bytes += size
        while entries.count > limits.maximumEntries || bytes > limits.maximumBytes {
            evictOldest()
        }
        compactOrderIfNeeded()
    }

    /// Drops every expired entry (the helper calls this now and then so
    /// entries nobody asks for again do not sit until evicted).
    public mutating func purgeExpired(now: UInt64) {
        for (key, entry) in entries where entry.expires <= now { remove(key) }
        compactOrderIfNeeded()
    }

    private mutating func remove(_ key: DNSQuestion) {
        if let old = entries.removeValue(forKey: key) { bytes -= old.size }
    }

    private mutating func evictOldest() {
        while orderHead < order.count {
            let slot = order[orderHead]
            orderHead += 1
            if let entry = entries[slot.key], entry.generation == slot.generation {
                remove(slot.key)
                return
            }
        }
    }

    /// Keeps the order array within a small multiple of the live entries.
    private mutating func compactOrderIfNeeded() {
        guard order.count > 1024, order.count - orderHead > 2 * entries.count || orderHead > order.count / 2 else { return }
        order = order[orderHead...].filter { entries[$0.key]?.generation == $0.generation }
        orderHead = 0
    }
}
