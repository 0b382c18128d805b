/// Which idle worker the master gives a new connection, and when the
/// connection waits a moment for a warm one instead (issue 12).
///
/// A worker that served a connection a moment ago has its code, heap and
/// caches in the CPU's caches; one idle for longer has lost them to the
/// others. Handing connections round the whole pool costs CPU for every
/// worker beyond the steady number of concurrent connections: on the full
/// mix at concurrency 4, a fixed pool of 4 workers spent 9% less CPU a
/// message than one of 8, and with 8 this rule took 1-6% off each turn of
/// an alternated run, with a lower p99 in every turn (README, issue 12).
///
/// The rule, decided afresh whenever a worker comes free or a connection
/// arrives:
/// - the worker idle for the shortest time is the one to use;
/// - it takes the connection at once if it is warm (idle for less than
///   `warmSeconds`), or if no worker is busy (none will come free sooner);
/// - otherwise the connection waits, at most `holdSeconds` after it
///   arrived, for a busy worker to finish (an MTA's next connection
///   usually arrives while the worker of its last one is still closing
///   it); past that the cold worker takes it.
///
/// The wait is bounded and not an overload: an idle worker is there all
/// along. It is only worth it while connections last long beside it (the
/// wait for a closing worker is typically 0.1-0.2 ms), so the master holds
/// connections only while its workers' connections last
/// `minimumConnectionSeconds` or more on average (hand-over to end). On
/// the benchmark's mix at concurrency 4, the full checks (about 1.1 ms a
/// connection) use less CPU with a better p99 when held, while with
/// AddID alone (0.3 ms) holding cost a third of the throughput and saved
/// no CPU; the threshold sits between the two. A milter connection behind
/// Postfix lasts the whole SMTP session.
public struct WarmWorkerPreference: Equatable, Sendable {
    /// A worker idle for less than this is warm.
    public let warmSeconds: Double
    /// The longest a connection waits for a warm worker while a cold one
    /// is idle.
    public let holdSeconds: Double
    /// Connections shorter than this on average are not held.
    public let minimumConnectionSeconds: Double
    /// The average time from hand-over to end of the recent connections
    /// (an exponentially weighted mean, 1/32 for each new one).
    public private(set) var averageConnectionSeconds = 0.0
    /// The wait queue's `connection_queue_timeout`: a held connection sits
    /// in that queue, which closes what waited that long, so a hold never
    /// lasts more than half of it (a held connection is always served).
    public var queueTimeoutSeconds = Double.infinity

    /// The hold in force: `holdSeconds`, within the queue's timeout.
    public var effectiveHoldSeconds: Double { min(holdSeconds, max(0, queueTimeoutSeconds) / 2) }

    /// What the master uses: 2 ms each (the wait for a closing worker is
    /// typically a tenth of that; 0.3 ms kept 7 of 8 workers in rotation),
    /// and holds from connections of 0.6 ms on average.
    public static let standard = WarmWorkerPreference(warmSeconds: 0.002, holdSeconds: 0.002, minimumConnectionSeconds: 0.0006)

    public init(warmSeconds: Double, holdSeconds: Double, minimumConnectionSeconds: Double = 0) {
        self.warmSeconds = max(0, warmSeconds)
        self.holdSeconds = max(0, holdSeconds)
        self.minimumConnectionSeconds = max(0, minimumConnectionSeconds)
    }

    /// A worker's connection ended after `seconds` from its hand-over.
    public mutating func connectionEnded(lastedSeconds seconds: Double) {
        averageConnectionSeconds += (max(0, seconds) - averageConnectionSeconds) / 32
    }

    /// Whether connections last long enough for a hold to pay.
    public var holdsPay: Bool { averageConnectionSeconds >= minimumConnectionSeconds }

    /// Whether the idle worker that has been idle for the shortest time
    /// (since `idleSince`) takes a connection that arrived at `arrivedAt`
    /// now, or the connection waits on.
    public func takesNow(idleSince: Double, arrivedAt: Double, anotherWorkerBusy: Bool, now: Double) -> Bool {
        if !holdsPay { return true }
        if now - idleSince < warmSeconds { return true }
        if !anotherWorkerBusy { return true }
        return now - arrivedAt >= effectiveHoldSeconds
    }

    /// When a connection that arrived at `arrivedAt` stops waiting for a
    /// warm worker: the master wakes then if nothing else wakes it.
    public func holdEnds(arrivedAt: Double) -> Double {
        arrivedAt + effectiveHoldSeconds
    }

    /// Idle workers in the order the pool retires spares: the one idle
    /// longest first, so the warm ones stay.
    public static func retirementOrder<Worker>(_ idle: some Sequence<Worker>, idleSince: (Worker) -> Double) -> [Worker] {
        idle.sorted { idleSince($0) < idleSince($1) }
    }

    /// Of the idle workers, the one idle for the shortest time.
    public static func mostRecentlyIdle<Worker>(_ idle: some Sequence<Worker>, idleSince: (Worker) -> Double) -> Worker? {
        idle.max { idleSince($0) < idleSince($1) }
    }
}
