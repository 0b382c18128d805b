import MailAuth
import TestSupport
import Testing

/// RFC 8616 section 4: an internationalized MAIL FROM is checked with its
/// domain in A-labels (the first lookup and %{d}/%{o}); a UTF-8 local part
/// in %{l}/%{s} makes the term match nothing, without a query.
@Suite struct SPFInternationalizedTests {
    static var zone: InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        dns.add("xn--bcher-kva.example", .txt("v=spf1 exists:%{l}.users.%{d} ip4:192.0.2.0/24 -all"))
        dns.add("alice.users.xn--bcher-kva.example", .a("127.0.0.2"))
        dns.add("_spf.xn--bcher-kva.example", .txt("v=spf1 ip4:198.51.100.0/24 -all"))
        dns.add("redirect.example", .txt("v=spf1 redirect=_spf.%{o}"))
        return dns
    }

    static func evaluate(_ from: String, ip: String, zone: RecordingResolver) -> SPFResult {
        SPFEvaluator(resolver: zone, options: SPFOptions()).evaluate(.mailFrom(from, ip: IPAddress(ip)!, helo: "mx.example.com"))
    }

    @Test func theDomainIsCheckedInALabels() {
        let request = SPFRequest.mailFrom("usér@Bücher.example", ip: IPAddress("192.0.2.25")!, helo: "mx.example.com")
        #expect(request.domain == "xn--bcher-kva.example" && request.localPart == "usér")
        let zone = RecordingResolver(Self.zone)
        let result = Self.evaluate("usér@bücher.example", ip: "192.0.2.25", zone: zone)
        #expect(result.code == .pass)
        #expect(result.authorityDomain == "xn--bcher-kva.example")
        // No question ever holds a non-ASCII byte: exists:%{l}... with a
        // UTF-8 local part is not asked, it just does not match.
        let names = zone.batches.flatMap { $0 }.map(\.name)
        #expect(names.allSatisfy { !DomainNameIDNA.hasNonASCII($0) })
        #expect(!names.contains { $0.contains("users") })
        #expect(result.receivedSPFValue(receiver: "mx.example.net") == """
            pass (xn--bcher-kva.example: 192.0.2.25 is authorized to use 'us\\xc3\\xa9r@b\\xc3\\xbccher.example' in 'mfrom' \
            identity (mechanism 'ip4:192.0.2.0/24' matched)) receiver=mx.example.net; identity=mailfrom; \
            envelope-from="usér@bücher.example"; helo=mx.example.com; client-ip=192.0.2.25
            """)
    }

    @Test func anASCIILocalPartStillMatchesThroughTheALabelDomain() {
        let zone = RecordingResolver(Self.zone)
        let result = Self.evaluate("alice@bücher.example", ip: "203.0.113.9", zone: zone)
        #expect(result.code == .pass && result.mechanism == "exists:%{l}.users.%{d}")
        // A UTF-8 local part: the same client fails (-all).
        #expect(Self.evaluate("älice@bücher.example", ip: "203.0.113.9", zone: RecordingResolver(Self.zone)).code == .fail)
    }

    @Test func macroDomainsExpandToALabels() {
        // %{o} of an internationalized sender is its A-label domain.
        let zone = RecordingResolver(Self.zone)
        let result = SPFEvaluator(resolver: zone, options: SPFOptions())
            .evaluate(SPFRequest(scope: .mfrom, identity: "a@bücher.example", ip: IPAddress("198.51.100.7")!,
                                 helo: "mx.example.com", authorityDomain: "redirect.example"))
        #expect(result.code == .pass)
        #expect(zone.batches.flatMap { $0 }.map(\.name).contains("_spf.xn--bcher-kva.example"))
    }

    @Test func anInvalidInternationalizedDomainIsNone() {
        let zone = RecordingResolver(Self.zone)
        let result = Self.evaluate("a@bü cher.example", ip: "192.0.2.25", zone: zone)
        #expect(result.code == .none)
        #expect(zone.questionCount == 0)
    }
}
