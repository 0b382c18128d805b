@testable import MailAuth
import Testing

/// Parsed DMARC records are kept by their text: a hit gives what parsing
/// gives, an invalid text stays invalid, a full cache starts over.
@Suite struct DMARCRecordCacheTests {
    @Test func aHitIsWhatParsingGives() {
        let cache = DMARCRecordCache(capacity: 8)
        let text = "v=DMARC1; p=reject; rua=mailto:d@example.com; pct=50"
        let first = cache.record(text)
        #expect(first != nil)
        #expect(first == DMARCRecord(text))
        #expect(cache.record(text) == first)
        #expect(cache.count == 1)
        #expect(cache.record("v=DMARC1; p=bogus") == DMARCRecord("v=DMARC1; p=bogus"))
        #expect(cache.record("not dmarc") == nil)
        #expect(cache.count == 3)
    }

    @Test func aFullCacheStartsOver() {
        let cache = DMARCRecordCache(capacity: 2)
        _ = cache.record("v=DMARC1; p=none")
        _ = cache.record("v=DMARC1; p=quarantine")
        #expect(cache.count == 2)
        #expect(cache.record("v=DMARC1; p=reject") == DMARCRecord("v=DMARC1; p=reject"))
        #expect(cache.count == 1)
    }
}
