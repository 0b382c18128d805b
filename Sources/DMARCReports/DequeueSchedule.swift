/// When the spool does its deferred work (DMARC report rows the store has
/// not taken yet), from Perl's dequeue settings:
///
/// - `check_for_dequeue` (60 s): how often a run starts; 0 runs none on
///   the timer (rows are then stored only as new ones arrive).
/// - `dequeue_timeout` (300 s in Perl's default_config; unset or 0: no
///   limit, as Perl sets no alarm then): a run stops taking new batches
///   once it has run this long; the rest waits for the next run. (Perl
///   kills its dequeue child; a store write is not cut here, only no new
///   one starts.)
/// - `max_dequeue` (5): Perl's number of dequeue processes at once; one
///   spool does the work here, so it is the number of batches of
///   `batchRows` rows one run takes (5,000 rows by default), so a backlog
///   after a store outage drains in steps and the channels are read in
///   between. 0 is Perl's "no dequeue": no timed runs.
///
/// A run that found the store down waits twice as long each time (at most
/// eight intervals); one cut by its limits comes back after a second.
public struct DequeueSchedule: Sendable, Equatable {
    public enum Result: String, Sendable, CaseIterable {
        /// Nothing left.
        case done
        /// Rows left because the run reached `rowsPerRun`.
        case partial
        /// Rows left because the run reached `dequeue_timeout`.
        case timeout
        /// The store did not take the rows.
        case failed
    }

    public static let batchRows = 1000
    /// Seconds between timed runs; nil: none.
    public let intervalSeconds: Double?
    public let timeoutSeconds: Double
    public let rowsPerRun: Int
    public private(set) var nextRun: Double
    private var failures = 0

    public init(checkForDequeue: Int, dequeueTimeout: Double?, maxDequeue: Int, now: Double) {
        intervalSeconds = checkForDequeue > 0 && maxDequeue > 0 ? Double(checkForDequeue) : nil
        timeoutSeconds = dequeueTimeout ?? .infinity
        rowsPerRun = max(1, maxDequeue) * Self.batchRows
        nextRun = now + (intervalSeconds ?? 0)
    }

    /// Whether a timed run is due.
    public func isDue(now: Double) -> Bool {
        intervalSeconds != nil && now >= nextRun
    }

    /// The poll timeout until the next timed run, in milliseconds; -1 when
    /// there is none or nothing waits.
    public func pollMilliseconds(now: Double, waiting: Bool) -> Int32 {
        guard waiting, intervalSeconds != nil else { return -1 }
        return Int32(max(0, min(nextRun - now, 86_400)) * 1000)
    }

    /// After a run (timed, or on new rows): when the next timed run is.
    public mutating func finished(_ result: Result, now: Double) {
        guard let interval = intervalSeconds else { return }
        switch result {
        case .done:
            failures = 0
            nextRun = now + interval
        case .partial, .timeout:
            failures = 0
            nextRun = now + min(1, interval)
        case .failed:
            failures = min(failures + 1, 4)
            nextRun = now + interval * Double(min(1 << (failures - 1), 8))
        }
    }
}
