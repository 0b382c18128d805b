@testable import MailAuth
import TestSupport
import Testing

@Suite struct DNSPrefetchResolverTests {
    typealias CountingResolver = RecordingResolver

    @Test func prefetchedQuestionsAreAnsweredFromMemory() {
        var zone = InMemoryDNSResolver()
        zone.add("a.example", .a("192.0.2.1"))
        zone.markTimeout("slow.example")
        let counting = CountingResolver(zone)
        let dns = DNSPrefetchResolver(upstream: counting)
        dns.prefetch([DNSQuestion(name: "a.example", type: .a), DNSQuestion(name: "A.Example.", type: .a),
                      DNSQuestion(name: "slow.example", type: .txt)])
        // Asked once each (case and trailing dot do not matter), one batch.
        #expect(counting.batches == [[DNSQuestion(name: "a.example", type: .a), DNSQuestion(name: "slow.example", type: .txt)]])
        // Answered from memory, a timeout included; only the new question goes out.
        let outcomes = dns.lookup([DNSQuestion(name: "slow.example", type: .txt), DNSQuestion(name: "a.example", type: .a),
                                   DNSQuestion(name: "b.example", type: .a)])
        #expect(outcomes[0] == .timeout)
        #expect(outcomes[1] == zone.lookup(DNSQuestion(name: "a.example", type: .a)))
        #expect(outcomes[2] == .nxdomain)
        #expect(counting.batches.count == 2 && counting.batches[1] == [DNSQuestion(name: "b.example", type: .a)])
    }

    /// Small batches look for repeats linearly, large ones through a set:
    /// either way each distinct question goes out once, in first-seen order.
    @Test func repeatsAreAskedOnceInSmallAndLargeBatches() {
        for distinct in [3, DNSPrefetchResolver.smallBatch, DNSPrefetchResolver.smallBatch * 3] {
            let counting = CountingResolver(InMemoryDNSResolver())
            let dns = DNSPrefetchResolver(upstream: counting)
            let names = (0..<distinct).map { DNSQuestion(name: "n\($0).example", type: .txt) }
            let outcomes = dns.lookup(names + names.reversed() + [DNSQuestion(name: "N0.EXAMPLE.", type: .txt)])
            #expect(counting.batches == [names], "\(distinct)")
            #expect(outcomes.count == distinct * 2 + 1 && outcomes.allSatisfy { $0 == .nxdomain })
        }
    }
}
