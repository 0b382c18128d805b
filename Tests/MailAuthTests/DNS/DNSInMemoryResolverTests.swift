import MailAuth
import Testing

@Suite struct DNSInMemoryResolverTests {
    var zone: InMemoryDNSResolver {
        var dns = InMemoryDNSResolver(defaultTTL: 300, negativeTTL: 60)
        dns.add("example.test", .txt("v=spf1 ", "mx -all"))
        dns.add("example.test", .mx(preference: 10, exchange: "mx.example.test"))
        dns.add("mx.example.test", .a("192.0.2.10"), ttl: 120)
        dns.add("mx.example.test", .aaaa("2001:db8::10"))
        dns.add("10.2.0.192.in-addr.arpa", .ptr("mx.example.test"))
        dns.add("alias.example.test", .cname("mx.example.test"))
        dns.add("loop1.example.test", .cname("loop2.example.test"))
        dns.add("loop2.example.test", .cname("loop1.example.test"))
        dns.add("dangling.example.test", .cname("nowhere.example.test"))
        dns.add("a.b.deep.example.test", .a("192.0.2.99"))
        return dns
    }

    @Test func answersEveryType() {
        let dns = zone
        #expect(dns.lookup(name: "example.test", type: .txt) == .answer([.txt([Array("v=spf1 ".utf8), Array("mx -all".utf8)])], ttl: 300))
        #expect(dns.lookup(name: "example.test", type: .mx) == .answer([.mx(preference: 10, exchange: "mx.example.test")], ttl: 300))
        #expect(dns.lookup(name: "mx.example.test", type: .a) == .answer([.a([192, 0, 2, 10])], ttl: 120))
        #expect(dns.lookup(name: "mx.example.test", type: .aaaa).records.first?.addressText == "2001:db8::10")
        #expect(dns.lookup(name: "10.2.0.192.in-addr.arpa", type: .ptr) == .answer([.ptr("mx.example.test")], ttl: 300))
    }

    @Test func namesAreCaseInsensitive() {
        let dns = zone
        #expect(dns.lookup(name: "MX.Example.TEST.", type: .a).records == [.a("192.0.2.10")])
    }

    @Test func cnamesAreFollowed() {
        let dns = zone
        #expect(dns.lookup(name: "alias.example.test", type: .a) == .answer([.a("192.0.2.10")], ttl: 120))
        #expect(dns.lookup(name: "alias.example.test", type: .cname) == .answer([.cname("mx.example.test")], ttl: 300))
        #expect(dns.lookup(name: "alias.example.test", type: .mx) == .nodata)
        #expect(dns.lookup(name: "dangling.example.test", type: .a) == .nxdomain)
        #expect(dns.lookup(name: "loop1.example.test", type: .a) == .servfail)
    }

    @Test func negativeAnswers() {
        let dns = zone
        #expect(dns.lookup(name: "nope.example.test", type: .a) == .nxdomain)
        #expect(dns.lookup(name: "example.test", type: .a) == .nodata)
        #expect(dns.lookup(name: "b.deep.example.test", type: .a) == .nodata)   // empty non-terminal
        #expect(dns.lookup(name: "deep.example.test", type: .txt) == .nodata)
    }

    @Test func forcedOutcomesFollowTheSPFSuiteMeaning() {
        var dns = zone
        // "spftimeout": TXT answers, SPF (no records) times out.
        dns.add("spftimeout.example.net", .txt("v=spf1 -all"))
        dns.markTimeout("spftimeout.example.net")
        #expect(dns.lookup(name: "spftimeout.example.net", type: .txt).records == [.txt("v=spf1 -all")])
        #expect(dns.lookup(name: "spftimeout.example.net", type: .spf) == .timeout)
        dns.markTimeout("alltimeout.example.net")
        #expect(dns.lookup(name: "alltimeout.example.net", type: .a) == .timeout)
        // A typed outcome wins over records.
        dns.markServfail("example.test", type: .mx)
        #expect(dns.lookup(name: "example.test", type: .mx) == .servfail)
        #expect(dns.lookup(name: "example.test", type: .txt).records.count == 1)
        dns.set(.error("REFUSED"), for: "refused.example.test")
        #expect(dns.lookup(name: "Refused.Example.Test", type: .a) == .error("REFUSED"))
        // A forced outcome on a CNAME target is met while following.
        dns.add("toslow.example.test", .cname("alltimeout.example.net"))
        #expect(dns.lookup(name: "toslow.example.test", type: .a) == .timeout)
        dns.markNXDomain("mx.example.test")
        // A name-wide outcome leaves the types with records alone.
        #expect(dns.lookup(name: "mx.example.test", type: .a).records == [.a("192.0.2.10")])
        #expect(dns.lookup(name: "mx.example.test", type: .txt) == .nxdomain)
    }

    @Test func editing() {
        var dns = zone
        dns.remove("mx.example.test", type: .a)
        #expect(dns.lookup(name: "mx.example.test", type: .a) == .nodata)
        dns.remove("mx.example.test")
        #expect(dns.lookup(name: "mx.example.test", type: .aaaa) == .nxdomain)
        dns.addEmptyNode("empty.example.test")
        #expect(dns.lookup(name: "empty.example.test", type: .a) == .nodata)
        dns.add("multi.example.test", [.a("192.0.2.1"), .a("192.0.2.2")], ttl: 50)
        dns.add("multi.example.test", .a("192.0.2.3"), ttl: 500)   // one RRset, one (smallest) TTL
        #expect(dns.lookup(name: "multi.example.test", type: .a) == .answer([.a("192.0.2.1"), .a("192.0.2.2"), .a("192.0.2.3")], ttl: 50))
        dns.add("empty-txt.example.test", .txt())
        #expect(dns.lookup(name: "empty-txt.example.test", type: .txt) == .answer([.txt([])], ttl: 300))
        #expect(dns.records(at: "EXAMPLE.test", type: .mx).count == 1)
    }

    @Test func batchesKeepTheirOrder() {
        let dns = zone
        let outcomes = dns.lookup([
            DNSQuestion(name: "nope.example.test", type: .a),
            DNSQuestion(name: "mx.example.test", type: .a),
            DNSQuestion(name: "example.test", type: .a),
        ])
        #expect(outcomes == [.nxdomain, .answer([.a("192.0.2.10")], ttl: 120), .nodata])
        #expect(dns.lookup([]).isEmpty)
    }
}
