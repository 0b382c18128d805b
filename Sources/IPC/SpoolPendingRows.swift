/// A worker's report rows that the spool has not acknowledged yet, in the
/// order they were submitted: a row stays here until the spool says it is
/// on disk, so a spool that dies before that gets it again. Rows are sent
/// in order, so the sent ones are always a prefix (`sentCount`); an ack
/// may remove any of them. Pure value code: SpoolClient does the I/O.
public struct SpoolPendingRows {
    public struct Entry: Equatable {
        public let id: String
        public let frame: [UInt8]
        /// Sent at least once already (to a spool that then died).
        public var sentBefore = false
    }

    public private(set) var entries: [Entry] = []
    /// entries[..<sentCount] are in the channel (or in a dead spool).
    public private(set) var sentCount = 0
    /// Frame bytes held, sent or not: what the cap counts.
    public private(set) var bytes = 0
    public let maximumBytes: Int

    public init(maximumBytes: Int) { self.maximumBytes = maximumBytes }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }
    public var unsentCount: Int { entries.count - sentCount }

    /// Adds a row to send; false (nothing added) when it would pass the cap.
    public mutating func add(id: String, frame: [UInt8]) -> Bool {
        guard bytes + frame.count <= maximumBytes else { return false }
        entries.append(Entry(id: id, frame: frame))
        bytes += frame.count
        return true
    }

    /// The next frame to send, oldest first.
    public var nextUnsent: [UInt8]? { sentCount < entries.count ? entries[sentCount].frame : nil }

    /// The channel took `nextUnsent`. Returns whether that was a resend.
    @discardableResult
    public mutating func markNextSent() -> Bool {
        guard sentCount < entries.count else { return false }
        let again = entries[sentCount].sentBefore
        entries[sentCount].sentBefore = true
        sentCount += 1
        return again
    }

    /// The spool has these rows on disk: they are forgotten. Returns how
    /// many entries went (an id the spool repeats is simply not found).
    @discardableResult
    public mutating func acknowledge(_ ids: [String]) -> Int {
        guard !ids.isEmpty, !entries.isEmpty else { return 0 }
        let done = Set(ids)
        var kept: [Entry] = []
        var keptSent = 0
        kept.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            if done.contains(entry.id) {
                bytes -= entry.frame.count
                continue
            }
            kept.append(entry)
            if index < sentCount { keptSent += 1 }
        }
        let removed = entries.count - kept.count
        entries = kept
        sentCount = keptSent
        return removed
    }

    /// A new spool reads the channel: everything not acknowledged is sent
    /// again, oldest first.
    public mutating func resendAll() { sentCount = 0 }
}
