import Testing
@testable import MailAuth

@Suite struct DNSPrefetchResolverTests {
    /// Records the batches asked, passing them on to a zone.
    final class CountingResolver: DNSResolver {
        let zone: InMemoryDNSResolver
        private(set) var batches: [[DNSQuestion]] = []
        init(_ zone: InMemoryDNSResolver) { self.zone = zone }
        func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] {
            batches.append(questions)
            return zone.lookup(questions)
        }
    }

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
}
