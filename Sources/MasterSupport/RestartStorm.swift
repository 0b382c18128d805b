/// When the master "gives up" on a role, Perl's words: Perl's master
/// abandons automatic restarts after 4 failures within 120 s and sends a
/// panic mail. Ours never stops restarting (the backoff slows it down,
/// and a milter that gives up leaves Postfix without one), so the mail is
/// sent when a role fails that often: once per storm, again only after a
/// quiet window.
public struct RestartStorm: Sendable, Equatable {
    public let failures: Int
    public let windowSeconds: Double
    private var recent: [Double] = []
    private var reportedAt: Double?

    public init(failures: Int = 4, windowSeconds: Double = 120) {
        self.failures = failures
        self.windowSeconds = windowSeconds
    }

    /// Records a failure at `now` (monotonic seconds); true when this one
    /// makes `failures` within the window and the storm is not reported yet.
    public mutating func recordFailure(now: Double) -> Bool {
        recent.append(now)
        recent.removeAll { now - $0 > windowSeconds }
        guard recent.count >= failures else { return false }
        if let reportedAt, now - reportedAt <= windowSeconds { return false }
        reportedAt = now
        return true
    }

    /// How many failures the window holds now.
    public var failuresInWindow: Int { recent.count }
}
