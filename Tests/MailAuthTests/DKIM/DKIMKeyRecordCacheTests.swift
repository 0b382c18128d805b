@testable import MailAuth
import TestSupport
import Testing

/// The parsed-key cache behind DKIM and ARC verification.
@Suite struct DKIMKeyRecordCacheTests {
    static let ed25519 = Array("v=DKIM1; k=ed25519; p=\(DKIMTestData.rfc8032PublicKey)".utf8)

    @Test func aSecondLookupOfTheSameTextReusesTheLoadedKey() throws {
        let cache = DKIMKeyRecordCache(capacity: 8)
        let first = try cache.record(for: Self.ed25519).get()
        let second = try cache.record(for: Self.ed25519).get()
        #expect(first.key === second.key)
        #expect(cache.count == 1)
    }

    @Test func failuresAreCachedTooAndDifferentTextsAreDifferentEntries() {
        let cache = DKIMKeyRecordCache(capacity: 8)
        let revoked = Array("v=DKIM1; p=".utf8)
        #expect(throws: DKIMVerdict.self) { try cache.record(for: revoked).get() }
        #expect(throws: DKIMVerdict.self) { try cache.record(for: revoked).get() }
        #expect(cache.count == 1)
        // A rotated key is another text, so another entry.
        _ = cache.record(for: Self.ed25519)
        #expect(cache.count == 2)
    }

    @Test func aFullCacheStartsOverAndHugeTextsAreNotKept() {
        let cache = DKIMKeyRecordCache(capacity: 3)
        for n in 0..<3 { _ = cache.record(for: Array("v=DKIM1; k=ed25519; t=y:\(n); p=\(DKIMTestData.rfc8032PublicKey)".utf8)) }
        #expect(cache.count == 3)
        _ = cache.record(for: Self.ed25519)
        #expect(cache.count == 1)
        let huge = Self.ed25519 + Array(repeating: UInt8(ascii: " "), count: 9000)
        _ = cache.record(for: huge)
        #expect(cache.count == 1)
    }

    @Test func theCachedResultEqualsAFreshParse() throws {
        let cache = DKIMKeyRecordCache(capacity: 8)
        let cached = try cache.record(for: Self.ed25519).get()
        let fresh = try DKIMKeyRecord.parse(Self.ed25519).get()
        #expect(cached.key.dkimPublicKeyData == fresh.key.dkimPublicKeyData)
        #expect(cached.testing == fresh.testing && cached.strictSubdomains == fresh.strictSubdomains)
    }
}
