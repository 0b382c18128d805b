/// Parsed DKIM key records by the exact TXT text they came from. A busy
/// receiver sees the same few thousand selectors over and over; decoding
/// base64 and loading an RSA key into OpenSSL costs more than verifying
/// with it, so the loaded key is kept. Keyed by the record text, so a key
/// rotation (new text) is a new entry and DNS TTLs stay the DNS helper's
/// business. Bounded: when full, the whole cache is dropped (`BoundedMemo`).
final class DKIMKeyRecordCache: Sendable {
    static let shared = DKIMKeyRecordCache(capacity: 4096)

    private let memo: BoundedMemo<HashedBytes, Result<DKIMKeyRecord, DKIMVerdict>>

    init(capacity: Int) {
        memo = BoundedMemo(capacity: capacity)
    }

    var capacity: Int { memo.capacity }

    /// The record for `text`, parsing it on a miss. Texts longer than
    /// 8 KiB are parsed every time and not kept.
    func record(for text: [UInt8]) -> Result<DKIMKeyRecord, DKIMVerdict> {
        memo.value(for: HashedBytes(text), keep: text.count <= 8192) { DKIMKeyRecord.parse(text) }
    }

    var count: Int { memo.count }
}
