/// Connections the master accepted while every worker was busy, oldest
/// first. At most `capacity` wait at once and each for at most
/// `timeoutSeconds`: a short, bounded wait absorbs a burst, and whatever
/// it cannot absorb is answered at once (closed, docs/security.md "An
/// exhausted pool") instead of sitting unanswered in the kernel backlog
/// until the MTA's own timeout. Pure (times are passed in) so the policy
/// is tested without processes; `Element` is a descriptor in the master.
public struct ConnectionWaitQueue<Element> {
    public struct Entry {
        public let element: Element
        public let since: Double
    }

    public var capacity: Int
    public var timeoutSeconds: Double
    /// Oldest first. A plain array: `capacity` is small (thousands at most)
    /// and removing the head is a memmove of pointers.
    public private(set) var entries: [Entry] = []

    public init(capacity: Int, timeoutSeconds: Double) {
        self.capacity = max(0, capacity)
        self.timeoutSeconds = max(0, timeoutSeconds)
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// False when the queue is full (or waiting is turned off): the caller
    /// answers the connection itself.
    public mutating func enqueue(_ element: Element, now: Double) -> Bool {
        guard entries.count < capacity, timeoutSeconds > 0 else { return false }
        entries.append(Entry(element: element, since: now))
        return true
    }

    /// The oldest waiting connection, for a worker that became idle.
    public mutating func dequeue() -> Entry? {
        entries.isEmpty ? nil : entries.removeFirst()
    }

    /// Takes out every connection that has waited its whole time.
    public mutating func removeExpired(now: Double) -> [Entry] {
        // Entries are in arrival order, so the expired ones are a prefix.
        // The master asks at every turn of its loop; nearly always the
        // queue is empty or its oldest entry still has time.
        guard let oldest = entries.first, now - oldest.since >= timeoutSeconds else { return [] }
        let expired = entries.prefix { now - $0.since >= timeoutSeconds }
        entries.removeFirst(expired.count)
        return Array(expired)
    }

    /// Takes out everything (the master is stopping).
    public mutating func removeAll() -> [Entry] {
        defer { entries.removeAll() }
        return entries
    }

    /// How long the master may sleep before the oldest entry expires; nil
    /// when nothing waits.
    public func secondsUntilNextExpiry(now: Double) -> Double? {
        entries.first.map { max(0, $0.since + timeoutSeconds - now) }
    }
}
