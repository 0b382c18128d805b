#if canImport(Glibc)
import Glibc
#endif

/// The descriptors one turn of an event loop waits on, each with what it
/// stands for in that loop (a helper's master channel, a worker's channel,
/// an outgoing connection): filled each turn, then one poll(2), then the
/// ready ones handed back with their `Target`. The BIMI fetch helper and
/// the scanner run their loops on it.
public struct PollSet<Target> {
    private var descriptors: [pollfd] = []
    private var targets: [Target] = []

    public init() {}

    public var count: Int { descriptors.count }

    /// Empties the set for the next turn (keeping its storage).
    public mutating func removeAll() {
        descriptors.removeAll(keepingCapacity: true)
        targets.removeAll(keepingCapacity: true)
    }

    public mutating func watch(_ fd: Int32, events: Int16, as target: Target) {
        descriptors.append(pollfd(fd: fd, events: events, revents: 0))
        targets.append(target)
    }

    /// One poll(2) of at most `timeoutMilliseconds`; what is ready, in the
    /// order watched (empty when the time ran out or a signal came).
    public mutating func wait(timeoutMilliseconds: Int32) throws(SystemIOError) -> [(target: Target, revents: Int16)] {
        guard try SystemCall.poll(&descriptors, timeoutMilliseconds: timeoutMilliseconds) > 0 else { return [] }
        var ready: [(target: Target, revents: Int16)] = []
        for (index, entry) in descriptors.enumerated() where entry.revents != 0 {
            ready.append((targets[index], entry.revents))
        }
        return ready
    }
}
