/// What an exhausted pool did to connections, counted by the master and
/// logged as one line at most every `intervalSeconds` (the first at once),
/// so a postmaster sees that MTAs were turned away and how many, without
/// a line per connection in a burst of thousands.
public struct PoolOverloadReport: Equatable, Sendable {
    public let intervalSeconds: Double
    /// Accepted with no idle worker and put in the wait queue.
    public private(set) var queued = 0
    /// Of those, handed to a worker that became free in time.
    public private(set) var servedFromQueue = 0
    /// Closed at once: the queue was full.
    public private(set) var closedQueueFull = 0
    /// Closed after waiting `connection_queue_timeout` for a worker.
    public private(set) var closedTimedOut = 0
    /// The longest wait of a connection served from the queue.
    public private(set) var longestServedWait = 0.0
    private var lastLine = -Double.infinity

    public init(intervalSeconds: Double = 10) {
        self.intervalSeconds = intervalSeconds
    }

    public mutating func recordQueued() { queued += 1 }
    public mutating func recordServedFromQueue(waited: Double) {
        servedFromQueue += 1
        longestServedWait = max(longestServedWait, waited)
    }
    public mutating func recordClosedQueueFull() { closedQueueFull += 1 }
    public mutating func recordClosedTimedOut() { closedTimedOut += 1 }

    public var closed: Int { closedQueueFull + closedTimedOut }
    private var isEmpty: Bool { queued == 0 && closed == 0 }

    /// The line to log now, or nil when nothing happened or the last line
    /// is too recent; the counts start again after each line.
    /// `warning` is true when connections were closed unanswered.
    public mutating func line(now: Double, maxChildren: Int, queueTimeout: Double) -> (text: String, warning: Bool)? {
        guard !isEmpty, now - lastLine >= intervalSeconds else { return nil }
        var parts: [String] = []
        if queued > 0 {
            parts.append("\(queued) connection(s) waited for a worker, \(servedFromQueue) of them served after at most "
                         + "\(Int((longestServedWait * 1000).rounded())) ms")
        }
        if closed > 0 {
            parts.append("\(closed) closed unanswered (\(closedQueueFull) with the wait queue full, \(closedTimedOut) after waiting "
                         + "\(queueTimeout)s): the MTA applies its milter_default_action to them")
        }
        let text = "no idle worker (max_children \(maxChildren)): " + parts.joined(separator: "; ")
        let warning = closed > 0
        self = PoolOverloadReport(intervalSeconds: intervalSeconds)
        lastLine = now
        return (text, warning)
    }
}
