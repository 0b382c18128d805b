import MailAuth
import Testing

@Suite struct DNSCacheTests {
    let www = DNSQuestion(name: "www.example.test", type: .a)
    let answer = DNSOutcome.answer([.a("192.0.2.1")], ttl: 300)

    @Test func answersLiveForTheirTTLAndReportWhatIsLeft() {
        var cache = DNSCache()
        cache.store(www, outcome: answer, ttl: 300, now: 1_000)
        #expect(cache.lookup(www, now: 1_000) == .answer([.a("192.0.2.1")], ttl: 300))
        #expect(cache.lookup(DNSQuestion(name: "WWW.Example.Test.", type: .a), now: 101_000) == .answer([.a("192.0.2.1")], ttl: 200))
        #expect(cache.lookup(www, now: 300_500) == .answer([.a("192.0.2.1")], ttl: 1))  // rounded up
        #expect(cache.lookup(www, now: 301_000) == nil)
        #expect(cache.count == 0)
        #expect(cache.lookup(DNSQuestion(name: "www.example.test", type: .aaaa), now: 1_000) == nil)
    }

    /// What a worker may keep a copy for: whole seconds left, rounded
    /// down, for answers and negative answers alike.
    @Test func lifetimeLeftIsRoundedDown() {
        var cache = DNSCache()
        let gone = DNSQuestion(name: "gone.example.test", type: .txt)
        cache.store(www, outcome: answer, ttl: 300, now: 1_000)
        cache.store(gone, outcome: .nxdomain, ttl: 60, now: 1_000)
        #expect(cache.lookupWithLifetime(www, now: 1_000)?.secondsLeft == 300)
        #expect(cache.lookupWithLifetime(www, now: 300_500)?.secondsLeft == 0)
        #expect(cache.lookupWithLifetime(www, now: 300_500)?.outcome == .answer([.a("192.0.2.1")], ttl: 1))
        #expect(cache.lookupWithLifetime(gone, now: 31_500)?.secondsLeft == 29)
        #expect(cache.lookupWithLifetime(gone, now: 31_500)?.outcome == .nxdomain)
        #expect(cache.lookupWithLifetime(gone, now: 61_000) == nil)
    }

    @Test func lifetimes() {
        let cache = DNSCache(limits: .init(maximumPositiveTTL: 86_400, maximumNegativeTTL: 3_600, failureHold: 5))
        #expect(cache.lifetime(of: answer, ttl: 0) == 0)
        #expect(cache.lifetime(of: answer, ttl: 1_000_000) == 86_400)
        #expect(cache.lifetime(of: .nxdomain, ttl: 60) == 60)
        #expect(cache.lifetime(of: .nodata, ttl: 7_200) == 3_600)
        #expect(cache.lifetime(of: .nodata, ttl: 0) == 0)          // no SOA: not cached
        #expect(cache.lifetime(of: .servfail, ttl: 0) == 5)
        #expect(cache.lifetime(of: .timeout, ttl: 300) == 5)
        #expect(cache.lifetime(of: .error("REFUSED"), ttl: 0) == 5)
    }

    @Test func zeroLifetimeStoresNothingAndForgetsTheOldEntry() {
        var cache = DNSCache()
        cache.store(www, outcome: answer, ttl: 300, now: 0)
        cache.store(www, outcome: .nxdomain, ttl: 0, now: 1_000)
        #expect(cache.lookup(www, now: 2_000) == nil)
        #expect(cache.count == 0)
        #expect(cache.bytes == 0)
    }

    @Test func negativeAndFailureEntries() {
        var cache = DNSCache()
        let gone = DNSQuestion(name: "gone.example.test", type: .txt)
        cache.store(gone, outcome: .nxdomain, ttl: 60, now: 0)
        cache.store(www, outcome: .timeout, ttl: 0, now: 0)
        #expect(cache.lookup(gone, now: 59_999) == .nxdomain)
        #expect(cache.lookup(gone, now: 60_000) == nil)
        #expect(cache.lookup(www, now: 4_999) == .timeout)
        #expect(cache.lookup(www, now: 5_000) == nil)
    }

    @Test func entryCapEvictsTheOldestFirst() {
        var cache = DNSCache(limits: .init(maximumEntries: 3))
        let names = (0..<5).map { DNSQuestion(name: "n\($0).test", type: .a) }
        for (i, q) in names.enumerated() { cache.store(q, outcome: answer, ttl: 300, now: UInt64(i)) }
        #expect(cache.count == 3)
        #expect(cache.lookup(names[0], now: 10) == nil)
        #expect(cache.lookup(names[1], now: 10) == nil)
        #expect(cache.lookup(names[4], now: 10) != nil)
        // Re-storing moves an entry to the back of the line.
        cache.store(names[2], outcome: answer, ttl: 300, now: 20)
        cache.store(DNSQuestion(name: "n5.test", type: .a), outcome: answer, ttl: 300, now: 21)
        #expect(cache.lookup(names[2], now: 22) != nil)
        #expect(cache.lookup(names[3], now: 22) == nil)
    }

    @Test func byteCapBoundsMemory() {
        var cache = DNSCache(limits: .init(maximumBytes: 4_096))
        let big = DNSOutcome.answer([.txt([[UInt8](repeating: 0x61, count: 1_000)])], ttl: 300)
        for i in 0..<20 { cache.store(DNSQuestion(name: "t\(i).test", type: .txt), outcome: big, ttl: 300, now: 0) }
        #expect(cache.bytes <= 4_096)
        #expect(cache.count >= 2)
        let huge = DNSOutcome.answer([.txt([[UInt8](repeating: 0x61, count: 10_000)])], ttl: 300)
        cache.store(www, outcome: huge, ttl: 300, now: 0)
        #expect(cache.lookup(www, now: 0) == nil)   // larger than the whole budget
    }

    @Test func manyReplacementsKeepTheBookkeepingSmall() {
        var cache = DNSCache(limits: .init(maximumEntries: 10))
        for i in 0..<10_000 {
            cache.store(DNSQuestion(name: "n\(i % 7).test", type: .a), outcome: answer, ttl: 300, now: UInt64(i))
        }
        #expect(cache.count == 7)
        cache.purgeExpired(now: 10_000 + 301_000)
        #expect(cache.count == 0)
        #expect(cache.bytes == 0)
    }
}
