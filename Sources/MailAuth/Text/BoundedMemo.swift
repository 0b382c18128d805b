import Synchronization

/// Values worked out from a key and kept, for the caches of parsed records
/// and answers (DKIM keys, DMARC records, public suffix answers): a hit
/// costs one lookup under a lock; when `capacity` entries are held the
/// whole memo is dropped, so there is no bookkeeping on the hot path and a
/// refill costs one computation per key. Keys longer than the caller's
/// limit are not kept (`value(for:keep:compute:)`).
final class BoundedMemo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    let capacity: Int
    private let entries = Mutex<[Key: Value]>([:])

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// The kept value for `key`, else `compute()`, kept when `keep`.
    func value(for key: Key, keep: Bool = true, compute: () -> Value) -> Value {
        if let hit = entries.withLock({ $0[key] }) { return hit }
        let value = compute()
        guard keep else { return value }
        entries.withLock { memo in
            if memo.count >= capacity { memo.removeAll(keepingCapacity: true) }
            memo[key] = value
        }
        return value
    }

    var count: Int { entries.withLock { $0.count } }
}
