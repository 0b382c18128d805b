/// Parsed records by their exact text, so a worker parses a sender
/// domain's record once, not once per message. Keyed by the bytes DNS
/// returned, so it can never serve a record DNS no longer gives: freshness
/// stays with the resolver's TTLs. Syntax errors are kept too (a broken
/// record stays broken until its text changes).
///
/// Bounded: `capacity` entries, records over `maximumRecordSize` bytes not
/// kept, oldest first out. One per handler instance; not shared between
/// threads (the worker is single-threaded).
public final class SPFRecordCache {
    public let capacity: Int
    public let maximumRecordSize: Int
    private var entries: [HashedBytes: Result<SPFRecord, SPFSyntaxError>] = [:]
    /// Insertion order, as a ring: `next` is the slot to overwrite.
    private var ring: [HashedBytes] = []
    private var next = 0
    public private(set) var hits = 0
    public private(set) var misses = 0

    public init(capacity: Int = 1024, maximumRecordSize: Int = 2048) {
        self.capacity = max(1, capacity)
        self.maximumRecordSize = maximumRecordSize
    }

    public var count: Int { entries.count }

    /// The record parsed from `text`, from the cache when seen before.
    public func record(_ text: [UInt8]) -> Result<SPFRecord, SPFSyntaxError> {
        let key = HashedBytes(text)
        if let cached = entries[key] {
            hits += 1
            return cached
        }
        misses += 1
        let parsed: Result<SPFRecord, SPFSyntaxError>
        do {
            parsed = .success(try SPFRecord(parsing: text))
        } catch {
            parsed = .failure(error)
        }
        guard text.count <= maximumRecordSize else { return parsed }
        if ring.count < capacity {
            ring.append(key)
        } else {
            entries[ring[next]] = nil
            ring[next] = key
            next = (next + 1) % capacity
        }
        entries[key] = parsed
        return parsed
    }
}
