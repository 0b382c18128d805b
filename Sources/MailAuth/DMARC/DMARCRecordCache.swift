import Synchronization

/// Parsed DMARC records by the exact TXT text they came from: a receiver
/// sees the same policy records over and over, and parsing one (tags,
/// report URIs) was 3% of a worker's time on the full-mix benchmark
/// (issue 12). Keyed by the text, so a changed record is a new entry and
/// freshness stays with the DNS TTLs. Bounded like `DKIMKeyRecordCache`:
/// when full, the whole cache is dropped (no bookkeeping on the hot path).
final class DMARCRecordCache: Sendable {
    static let shared = DMARCRecordCache(capacity: 4096)

    let capacity: Int
    private let entries = Mutex<[String: DMARCRecord?]>([:])

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The record parsed from `text` (nil: not a valid DMARC record),
    /// parsing on a miss. Texts over 4 KiB are parsed every time.
    func record(_ text: String) -> DMARCRecord? {
        if let hit = entries.withLock({ $0[text] }) { return hit }
        let parsed = DMARCRecord(text)
        guard text.utf8.count <= 4096 else { return parsed }
        entries.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[text] = .some(parsed)
        }
        return parsed
    }

    var count: Int { entries.withLock { $0.count } }
}
