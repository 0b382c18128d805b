/// How many workers to start or retire, from the Perl prefork keys. Pure so
/// the arithmetic is tested without processes.
public struct WorkerPoolPolicy: Equatable, Sendable {
    public var minChildren: Int
    public var maxChildren: Int
    public var minSpareChildren: Int
    public var maxSpareChildren: Int

    public init(minChildren: Int, maxChildren: Int, minSpareChildren: Int, maxSpareChildren: Int) {
        self.minChildren = max(1, minChildren)
        self.maxChildren = max(self.minChildren, maxChildren)
        self.minSpareChildren = max(0, minSpareChildren)
        self.maxSpareChildren = max(self.minSpareChildren, maxSpareChildren)
    }

    public enum Decision: Equatable, Sendable {
        case steady
        case start(Int)
        case retire(Int)
    }

    /// `starting` workers are spawned but not yet ready: they count as
    /// spare so a burst does not spawn twice. `waiting` connections (the
    /// master's wait queue) each want a worker on top of the spares, so a
    /// burst grows the pool at once instead of one worker per start-up.
    public func decide(idle: Int, busy: Int, starting: Int, waiting: Int = 0) -> Decision {
        let total = idle + busy + starting
        let room = maxChildren - total
        let wanted = max(minChildren - total, minSpareChildren + waiting - (idle + starting))
        if wanted > 0 && room > 0 { return .start(min(wanted, room)) }
        if idle > maxSpareChildren && total > minChildren {
            let surplus = min(idle - maxSpareChildren, total - minChildren)
            if surplus > 0 { return .retire(surplus) }
        }
        return .steady
    }
}

/// Delay before replacing a worker that died abnormally, doubling per
/// consecutive failure (0.1 s ... 30 s); reset once a new worker is ready.
public struct RespawnBackoff: Equatable, Sendable {
    public private(set) var consecutiveFailures = 0
    public init() {}
    public mutating func recordFailure() { consecutiveFailures += 1 }
    public mutating func recordSuccess() { consecutiveFailures = 0 }
    public var delaySeconds: Double {
        guard consecutiveFailures > 0 else { return 0 }
        let exponent = min(consecutiveFailures - 1, 9)
        return min(30, 0.1 * Double(1 << exponent))
    }
}
