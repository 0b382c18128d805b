import Synchronization

/// Parsed DKIM key records by the exact TXT text they came from. A busy
/// receiver sees the same few thousand selectors over and over; decoding
/// base64 and loading an RSA key into OpenSSL costs more than verifying
/// with it, so the loaded key is kept. Keyed by the record text, so a key
/// rotation (new text) is a new entry and DNS TTLs stay the DNS helper's
/// business. Bounded: when full, the whole cache is dropped (no bookkeeping
/// on the hot path; a refill costs one parse per selector).
final class DKIMKeyRecordCache: Sendable {
    static let shared = DKIMKeyRecordCache(capacity: 4096)

    let capacity: Int
    private let entries = Mutex<[HashedBytes: Result<DKIMKeyRecord, DKIMVerdict>]>([:])

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The record for `text`, parsing it on a miss. Texts longer than
    /// 8 KiB are parsed every time and not kept.
    func record(for text: [UInt8]) -> Result<DKIMKeyRecord, DKIMVerdict> {
        let key = HashedBytes(text)
        if let hit = entries.withLock({ $0[key] }) { return hit }
        let parsed = DKIMKeyRecord.parse(text)
        guard text.count <= 8192 else { return parsed }
        entries.withLock { cache in
            if cache.count >= capacity { cache.removeAll(keepingCapacity: true) }
            cache[key] = parsed
        }
        return parsed
    }

    var count: Int { entries.withLock { $0.count } }
}
