import MailAuth
import Testing

@Suite struct DNSTimeoutHoldTests {
    /// Counts the questions that reach the zone.
    final class Counting: DNSResolver {
        let zone: InMemoryDNSResolver
        var asked: [DNSQuestion] = []
        init(_ zone: InMemoryDNSResolver) { self.zone = zone }
        func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] {
            asked += questions
            return zone.lookup(questions)
        }
    }

    func zone() -> InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        dns.markTimeout("slow.example.com")
        dns.add("www.example.com", .a("192.0.2.1"))
        dns.add("www.example.org", .a("192.0.2.2"))
        return dns
    }

    /// Last two labels: enough of an organizational domain for a test.
    static func lastTwoLabels(_ name: String) -> String {
        name.split(separator: ".").suffix(2).joined(separator: ".")
    }

    @Test func aTimeoutHoldsItsOrganizationalDomain() {
        let counting = Counting(zone())
        var lines: [String] = []
        let dns = DNSTimeoutHold(base: counting, organizationalDomain: Self.lastTwoLabels, log: { lines.append($0) })
        #expect(dns.lookup(name: "slow.example.com", type: .txt) == .timeout)
        #expect(dns.held == ["example.com"])
        // Same org domain: failed at once, not asked.
        #expect(dns.lookup([DNSQuestion(name: "www.example.com", type: .a), DNSQuestion(name: "www.example.org", type: .a)])
                == [.timeout, .answer([.a("192.0.2.2")], ttl: 300)])
        #expect(counting.asked.map(\.name) == ["slow.example.com", "www.example.org"])
        #expect(lines == ["DNS Lookup TXT slow.example.com error, hold set on example.com : query timed out",
                          "Lookup A www.example.com aborted due to previous DNS Lookup timeout on example.com"])
        dns.clear()
        #expect(dns.lookup(name: "www.example.com", type: .a).records == [.a("192.0.2.1")])
    }

    @Test func disabledHoldPassesEverythingThrough() {
        let counting = Counting(zone())
        let dns = DNSTimeoutHold(base: counting, isEnabled: false)
        #expect(dns.lookup(name: "slow.example.com", type: .a) == .timeout)
        #expect(dns.lookup(name: "slow.example.com", type: .a) == .timeout)
        #expect(counting.asked.count == 2)
        #expect(dns.held.isEmpty)
    }
}
