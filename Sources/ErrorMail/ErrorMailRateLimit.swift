/// How often an error mail goes out: at most one per `intervalSeconds`;
/// the reports in between are counted, not mailed, and the next mail says
/// how many there were. A worker stuck in a loop of timeouts (a black-holed
/// resolver fails every message) must not turn into a mail per message:
/// Perl sends one per failing child and restarts it, which under load is a
/// flood; one a minute with a count tells the operator as much.
public struct ErrorMailRateLimit: Sendable, Equatable {
    public enum Decision: Sendable, Equatable {
        /// Mail this report; `suppressed` reports were dropped since the last mail.
        case send(suppressed: Int)
        /// Too soon after the last mail: counted, not mailed.
        case suppress
    }

    public let intervalSeconds: Double
    private var lastSent: Double?
    public private(set) var suppressed = 0

    public init(intervalSeconds: Double) {
        self.intervalSeconds = intervalSeconds
    }

    /// `now` on a monotonic clock.
    public mutating func admit(now: Double) -> Decision {
        if let lastSent, now - lastSent < intervalSeconds {
            suppressed += 1
            return .suppress
        }
        lastSent = now
        defer { suppressed = 0 }
        return .send(suppressed: suppressed)
    }

    /// The mail could not be sent: the next report may try at once, and
    /// the count of those not mailed goes on.
    public mutating func sendFailed(suppressed count: Int) {
        lastSent = nil
        suppressed += count + 1
    }
}
