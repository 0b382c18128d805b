/// Parsed DMARC records by the exact TXT text they came from: a receiver
/// sees the same policy records over and over, and parsing one (tags,
/// report URIs) was 3% of a worker's time on the full-mix benchmark
/// (issue 12). Keyed by the text, so a changed record is a new entry and
/// freshness stays with the DNS TTLs. Bounded like `DKIMKeyRecordCache`:
/// when full, the whole cache is dropped (no bookkeeping on the hot path).
final class DMARCRecordCache: Sendable {
    static let shared = DMARCRecordCache(capacity: 4096)

    private let memo: BoundedMemo<String, DMARCRecord?>

    init(capacity: Int) {
        memo = BoundedMemo(capacity: capacity)
    }

    /// The record parsed from `text` (nil: not a valid DMARC record),
    /// parsing on a miss. Texts over 4 KiB are parsed every time.
    func record(_ text: String) -> DMARCRecord? {
        memo.value(for: text, keep: text.utf8.count <= 4096) { DMARCRecord(text) }
    }

    var count: Int { memo.count }
}
