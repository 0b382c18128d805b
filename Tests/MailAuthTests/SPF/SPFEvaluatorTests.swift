import MailAuth
import TestSupport
import Testing

/// Evaluation beyond the conformance suite: Mail::SPF's texts and the
/// `Received-SPF` field, batching of independent lookups, limits, bounded
/// work on hostile records, macros (RFC 7208 section 7.4's table).
@Suite struct SPFEvaluatorTests {
    static func evaluate(_ zone: InMemoryDNSResolver, from: String, ip: String, helo: String? = "mail.example.net",
                         options: SPFOptions = SPFOptions()) -> SPFResult {
        SPFEvaluator(resolver: zone, options: options).evaluate(.mailFrom(from, ip: IPAddress(ip)!, helo: helo))
    }

    // MARK: Texts and Received-SPF

    @Test func receivedSPFMatchesThePerlSample() {
        // t/data/example/google_apps_good.eml of authentication_milter.
        var zone = InMemoryDNSResolver()
        zone.add("marcbradshaw.net", .txt("v=spf1 include:_spf.google.com ~all"))
        zone.add("_spf.google.com", .txt("v=spf1 ip4:74.125.0.0/16 ~all"))
        let result = Self.evaluate(zone, from: "marc@marcbradshaw.net", ip: "74.125.82.171", helo: "mail-we0-f171.google.com")
        #expect(result.code == .pass)
        #expect(result.mechanism == "include:_spf.google.com")
        #expect(result.receivedSPFValue(receiver: "test.module") == """
            pass (marcbradshaw.net: Sender is authorized to use 'marc@marcbradshaw.net' in 'mfrom' identity \
            (mechanism 'include:_spf.google.com' matched)) receiver=test.module; identity=mailfrom; \
            envelope-from="marc@marcbradshaw.net"; helo=mail-we0-f171.google.com; client-ip=74.125.82.171
            """)
    }

    @Test func redirectDecisionsNameBothDomains() {
        var zone = InMemoryDNSResolver()
        zone.add("gmail.com", .txt("v=spf1 redirect=_spf.google.com"))
        zone.add("_spf.google.com", .txt("v=spf1 include:_netblocks.google.com ~all"))
        zone.add("_netblocks.google.com", .txt("v=spf1 ip4:209.85.128.0/17 ~all"))
        let result = Self.evaluate(zone, from: "someone@gmail.com", ip: "209.85.166.49", helo: "mail-io1-f49.google.com")
        #expect(result.code == .pass)
        #expect(result.isNested && result.authorityDomain == "_spf.google.com" && result.rootDomain == "gmail.com")
        #expect(result.localExplanation == "gmail.com ... _spf.google.com: Sender is authorized to use 'someone@gmail.com' "
                + "in 'mfrom' identity (mechanism 'include:_netblocks.google.com' matched)")
    }

    @Test func resultTexts() {
        var zone = InMemoryDNSResolver()
        zone.add("neutral.example.com", .txt("v=spf1 ip4:192.0.2.1"))
        zone.add("soft.example.com", .txt("v=spf1 ~all"))
        zone.add("query.example.com", .txt("v=spf1 ?all"))
        zone.add("hard.example.com", .txt("v=spf1 -ip4:192.0.2.0/24"))
        zone.add("bad.example.com", .txt("v=spf1 foo"))
        zone.add("twice.example.com", .txt("v=spf1 -all"))
        zone.add("twice.example.com", .txt("v=spf1 +all"))
        zone.add("inc.example.com", .txt("v=spf1 include:nothing.example.com"))
        zone.markTimeout("slow.example.com")
        zone.markServfail("broken.example.com")
        zone.add("incslow.example.com", .txt("v=spf1 include:slow.example.com"))
        func local(_ domain: String) -> String {
            Self.evaluate(zone, from: "u@\(domain)", ip: "192.0.2.9").localExplanation
        }
        #expect(local("none.example.com") == "none.example.com: No applicable sender policy available")
        #expect(local("neutral.example.com") == "neutral.example.com: Default neutral result due to no mechanism matches")
        #expect(local("soft.example.com") == "soft.example.com: Sender is not authorized by default to use 'u@soft.example.com' in 'mfrom' "
                + "identity, however domain is not currently prepared for false failures (mechanism '~all' matched)")
        #expect(local("query.example.com") == "query.example.com: Domain does not state whether sender is authorized to use "
                + "'u@query.example.com' in 'mfrom' identity (mechanism '?all' matched)")
        #expect(local("hard.example.com") == "hard.example.com: 192.0.2.9 is not authorized to use 'u@hard.example.com' in 'mfrom' "
                + "identity (mechanism '-ip4:192.0.2.0/24' matched)")
        #expect(local("bad.example.com") == "bad.example.com: Unknown mechanism type 'foo' in 'v=spf1' record")
        #expect(local("twice.example.com") == "twice.example.com: Redundant applicable 'v=spf1' sender policies found")
        #expect(local("inc.example.com") == "inc.example.com: Included domain 'nothing.example.com' has no applicable sender policy")
        #expect(local("slow.example.com") == "slow.example.com: Time-out on DNS 'TXT' lookup of 'slow.example.com'")
        #expect(local("broken.example.com") == "broken.example.com: 'SERVFAIL' error on DNS 'TXT' lookup of 'broken.example.com'")
        #expect(local("incslow.example.com") == "incslow.example.com ... slow.example.com: Time-out on DNS 'TXT' lookup of 'slow.example.com'")
    }

    @Test func heloIdentityForANullSender() {
        var zone = InMemoryDNSResolver()
        zone.add("mx.example.org", .txt("v=spf1 a -all"))
        zone.add("mx.example.org", .a("192.0.2.25"))
        let result = Self.evaluate(zone, from: "", ip: "192.0.2.25", helo: "mx.example.org")
        #expect(result.code == .pass)
        #expect(result.request.scope == .helo && result.request.sender == "postmaster@mx.example.org")
        #expect(result.receivedSPFValue(receiver: "") == "pass (mx.example.org: 192.0.2.25 is authorized to use 'mx.example.org' in "
                + "'helo' identity (mechanism 'a' matched)) receiver=unknown; identity=helo; helo=mx.example.org; client-ip=192.0.2.25")
    }

    @Test func receivedSPFQuotesWhatIsNotADotAtom() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .txt("v=spf1 -all"))
        let result = Self.evaluate(zone, from: "\"odd \\\"local\"@example.com", ip: "2001:db8::1", helo: "[192.0.2.1]")
        #expect(result.code == .fail)
        #expect(result.receivedSPFValue(receiver: "mx.example.net").hasSuffix(
            #"receiver=mx.example.net; identity=mailfrom; envelope-from="\"odd \\\"local\"@example.com"; helo="[192.0.2.1]"; client-ip="2001:db8::1""#))
    }

    @Test func controlAndNonASCIIBytesAreEscapedInTheComment() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .txt([Array("v=spf1 a:x\u{7}y.example.com \u{E9}".utf8)]))
        let result = Self.evaluate(zone, from: "u@example.com", ip: "192.0.2.1")
        #expect(result.code == .permerror)
        #expect(result.localExplanation.allSatisfy { $0.isASCII && $0 != "\u{7}" })
        #expect(result.localExplanation.contains("\\x07"))
    }

    // MARK: Macros (RFC 7208 section 7.4) through an explanation

    static func explanation(_ macros: String, ip: String) -> String? {
        var zone = InMemoryDNSResolver()
        zone.add("email.example.com", .txt("v=spf1 -all exp=exp.example.com"))
        zone.add("exp.example.com", .txt(macros))
        zone.add(IPAddress(ip)!.reverseDomainName, .ptr("mx.example.org"))
        zone.add("mx.example.org", .a("192.0.2.3"))
        zone.add("mx.example.org", .aaaa("2001:db8::cb01"))
        var options = SPFOptions()
        options.receiver = "mx.example.net"
        options.timestamp = { 1_234_567_890 }
        return Self.evaluate(zone, from: "strong-bad@email.example.com", ip: ip, helo: "helo.example.org", options: options).explanation
    }

    @Test func macroTableOfTheRFC() {
        let letters = "%{s}|%{o}|%{d}|%{d4}|%{d3}|%{d2}|%{d1}|%{dr}|%{d2r}|%{l}|%{l-}|%{lr}|%{lr-}|%{l1r-}"
        #expect(Self.explanation(letters, ip: "192.0.2.3") == "strong-bad@email.example.com|email.example.com|email.example.com|"
                + "email.example.com|email.example.com|example.com|com|com.example.email|example.email|strong-bad|strong.bad|"
                + "strong-bad|bad.strong|strong")
        #expect(Self.explanation("%{ir}.%{v}._spf.%{d2} %{lr-}.lp.%{ir}.%{v}._spf.%{d2} %{d2}.trusted-domains.example.net",
                                 ip: "192.0.2.3")
                == "3.2.0.192.in-addr._spf.example.com bad.strong.lp.3.2.0.192.in-addr._spf.example.com "
                + "example.com.trusted-domains.example.net")
        #expect(Self.explanation("%{ir}.%{v}._spf.%{d2}", ip: "2001:db8::cb01")
                == "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com")
    }

    @Test func explanationOnlyMacros() {
        #expect(Self.explanation("%{c} %{r} %{t} %{h} %{p} %{v}", ip: "192.0.2.3")
                == "192.0.2.3 mx.example.net 1234567890 helo.example.org mx.example.org in-addr")
        #expect(Self.explanation("%{c} %{p} %{v} %{i}", ip: "2001:db8::cb01")
                == "2001:db8::cb01 mx.example.org ip6 2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1")
        #expect(Self.explanation("%{S} %{L}%%%_%-", ip: "192.0.2.3") == "strong-bad%40email.example.com strong-bad% %20")
    }

    @Test func defaultExplanationIsMailSPFs() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .txt("v=spf1 -all"))
        var options = SPFOptions()
        options.receiver = "mx.example.net"
        let result = Self.evaluate(zone, from: "a+b@example.com", ip: "192.0.2.1", options: options)
        #expect(result.explanation == "Please see http://www.openspf.org/Why?s=mfrom;id=a%2Bb%40example.com;ip=192.0.2.1;r=mx.example.net")
        #expect(Self.evaluate(zone, from: "a@example.com", ip: "192.0.2.1").code == .fail)
        zone.add("pass.example.com", .txt("v=spf1 +all"))
        #expect(Self.evaluate(zone, from: "a@pass.example.com", ip: "192.0.2.1").explanation == nil)
    }

    // MARK: Batching

    @Test func mxHostsAreLookedUpInOneBatch() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .txt("v=spf1 mx -all"))
        for n in 1...5 {
            zone.add("example.com", .mx(preference: UInt16(n), exchange: "mx\(n).example.com"))
            zone.add("mx\(n).example.com", .a("192.0.2.\(n)"))
        }
        zone.add("example.com", .mx(preference: 9, exchange: "MX1.example.com."))   // same host again
        let resolver = RecordingResolver(zone)
        let result = SPFEvaluator(resolver: resolver).evaluate(.mailFrom("a@example.com", ip: IPAddress("192.0.2.5")!, helo: nil))
        #expect(result.code == .pass && result.mechanism == "mx")
        #expect(resolver.batches.map(\.count) == [1, 1, 5])
        #expect(resolver.batches[2].allSatisfy { $0.type == .a })
        #expect(result.queryCount == 7)
    }

    @Test func ipv6ClientsAskForAAAA() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .txt("v=spf1 mx a:www.example.com -all"))
        zone.add("example.com", .mx(preference: 1, exchange: "mx.example.com"))
        zone.add("mx.example.com", .a("192.0.2.1"))
        zone.add("mx.example.com", .aaaa("2001:db8::25"))
        zone.add("www.example.com", .aaaa("2001:db8::80"))
        let resolver = RecordingResolver(zone)
        let result = SPFEvaluator(resolver: resolver).evaluate(.mailFrom("a@example.com", ip: IPAddress("2001:db8::80")!, helo: nil))
        #expect(result.code == .pass && result.mechanism == "a:www.example.com")
        #expect(resolver.batches.flatMap { $0 }.filter { $0.type == .a }.isEmpty)
    }

    @Test func ptrNamesAreValidatedInOneBatchAndOnlyTen() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .txt("v=spf1 ptr -all"))
        let reverse = IPAddress("192.0.2.7")!.reverseDomainName
        for n in 1...12 { zone.add(reverse, .ptr("h\(n).other.example")) }
        zone.add(reverse, .ptr("host.example.com"))
        zone.add("host.example.com", .a("192.0.2.7"))
        let resolver = RecordingResolver(zone)
        let result = SPFEvaluator(resolver: resolver).evaluate(.mailFrom("a@example.com", ip: IPAddress("192.0.2.7")!, helo: nil))
        // host.example.com is the 13th name: past the limit of 10.
        #expect(result.code == .fail)
        #expect(resolver.batches.map(\.count) == [1, 1, 10])
    }

    // MARK: Limits and errors

    @Test func tenDNSTermsAreAllowedNotEleven() {
        var zone = InMemoryDNSResolver()
        for n in 1...11 { zone.add("h\(n).example.com", .a("198.51.100.\(n)")) }
        let ten = (1...10).map { "a:h\($0).example.com" }.joined(separator: " ")
        zone.add("ten.example.com", .txt("v=spf1 \(ten) ip4:192.0.2.1 -all"))
        zone.add("eleven.example.com", .txt("v=spf1 \(ten) a:h11.example.com ip4:192.0.2.1 -all"))
        #expect(Self.evaluate(zone, from: "a@ten.example.com", ip: "192.0.2.1").code == .pass)
        let over = Self.evaluate(zone, from: "a@eleven.example.com", ip: "192.0.2.1")
        #expect(over.code == .permerror && over.text == "Maximum DNS-interactive terms limit (10) exceeded")
        #expect(over.dnsTermCount == 11)
    }

    @Test func voidLookupsAreLimitedToTwo() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .txt("v=spf1 a:n1.example.com mx:n2.example.com exists:n3.example.com -all"))
        let result = Self.evaluate(zone, from: "a@example.com", ip: "192.0.2.1")
        #expect(result.code == .permerror && result.text == "Maximum void DNS look-ups limit (2) exceeded")
        var options = SPFOptions()
        options.maximumVoidLookups = nil
        #expect(Self.evaluate(zone, from: "a@example.com", ip: "192.0.2.1", options: options).code == .fail)
    }

    @Test func moreThanTenMXRecordsIsAPermerror() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .txt("v=spf1 mx -all"))
        for n in 0...10 { zone.add("example.com", .mx(preference: UInt16(n), exchange: "mx\(n).example.com")) }
        #expect(Self.evaluate(zone, from: "a@example.com", ip: "192.0.2.1").code == .permerror)
    }

    @Test func mxHostFailuresAreTemperrorsUnlessAnotherHostMatches() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .txt("v=spf1 mx -all"))
        zone.add("example.com", .mx(preference: 1, exchange: "slow.example.com"))
        zone.add("example.com", .mx(preference: 2, exchange: "good.example.com"))
        zone.markTimeout("slow.example.com")
        zone.add("good.example.com", .a("192.0.2.2"))
        #expect(Self.evaluate(zone, from: "a@example.com", ip: "192.0.2.2").code == .pass)
        let result = Self.evaluate(zone, from: "a@example.com", ip: "192.0.2.3")
        #expect(result.code == .temperror && result.text == "Time-out on DNS 'A' lookup of 'slow.example.com'")
    }

    @Test func nullMXHasNoAddresses() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .txt("v=spf1 mx ?all"))
        zone.add("example.com", .mx(preference: 0, exchange: "."))
        let resolver = RecordingResolver(zone)
        let result = SPFEvaluator(resolver: resolver).evaluate(.mailFrom("a@example.com", ip: IPAddress("192.0.2.1")!, helo: nil))
        #expect(result.code == .neutral && resolver.questionCount == 2)
    }

    @Test func ipv4MappedClientsAreIPv4() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .txt("v=spf1 ip6:::ffff:192.0.2.0/120 ip4:192.0.2.0/24 -all"))
        let result = Self.evaluate(zone, from: "a@example.com", ip: "::ffff:192.0.2.9")
        #expect(result.code == .pass && result.mechanism == "ip4:192.0.2.0/24")
        #expect(result.receivedSPFValue(receiver: "r").hasSuffix("client-ip=192.0.2.9"))
    }

    @Test func checkHostTakesAnyDomain() {
        var zone = InMemoryDNSResolver()
        zone.add("org.example", .txt("v=spf1 exists:%{d}.ok.example -all"))
        zone.add("org.example.ok.example", .a("127.0.0.2"))
        let result = SPFEvaluator(resolver: zone).checkHost(ip: IPAddress("192.0.2.1")!, domain: "org.example",
                                                            sender: "x@sub.org.example")
        #expect(result.code == .pass && result.rootDomain == "org.example" && result.request.domain == "sub.org.example")
    }

    @Test func namesAreCaseInsensitive() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .txt("V=SPF1 A:WWW.Example.COM -ALL"))
        zone.add("www.example.com", .a("192.0.2.80"))
        #expect(Self.evaluate(zone, from: "U@EXAMPLE.COM.", ip: "192.0.2.80").code == .pass)
    }

    // MARK: Bounded work

    @Test func includeLoopsStopAtTheTermLimit() {
        var zone = InMemoryDNSResolver()
        zone.add("a.example.com", .txt("v=spf1 include:b.example.com include:a.example.com -all"))
        zone.add("b.example.com", .txt("v=spf1 include:a.example.com redirect=a.example.com"))
        let resolver = RecordingResolver(zone)
        let result = SPFEvaluator(resolver: resolver).evaluate(.mailFrom("x@a.example.com", ip: IPAddress("192.0.2.1")!, helo: nil))
        #expect(result.code == .permerror)
        #expect(resolver.questionCount <= 11)
    }

    @Test func hugeRecordsAndMacrosStayBounded() {
        var zone = InMemoryDNSResolver()
        // 40,000 bytes of ip4 ranges, then a long chain of macros.
        let ranges = (0..<2_000).map { "ip4:10.\($0 / 250).\($0 % 250).0/24" }.joined(separator: " ")
        let macros = String(repeating: "%{s}.", count: 5_000)
        zone.add("big.example.com", .txt("v=spf1 \(ranges) exists:\(macros)example.com -all exp=exp.example.com"))
        zone.add("exp.example.com", .txt(String(repeating: "%{l}", count: 20_000)))
        let resolver = RecordingResolver(zone)
        let sender = String(repeating: "x", count: 50) + "@big.example.com"
        let result = SPFEvaluator(resolver: resolver).evaluate(.mailFrom(sender, ip: IPAddress("192.0.2.1")!, helo: nil))
        #expect(result.code == .fail)
        #expect(resolver.questionCount == 3)
        #expect(resolver.batches[1][0].name.utf8.count <= 253)
        #expect((result.explanation?.utf8.count ?? 0) <= SPFOptions().maximumExpansionLength)
    }

    // MARK: Record cache

    @Test func recordCacheParsesEachTextOnceAndStaysBounded() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .txt("v=spf1 ip4:192.0.2.0/24 -all"))
        zone.add("broken.example.com", .txt("v=spf1 nonsense"))
        let cache = SPFRecordCache(capacity: 2)
        let evaluator = SPFEvaluator(resolver: zone, recordCache: cache)
        for _ in 0..<3 {
            #expect(evaluator.evaluate(.mailFrom("a@example.com", ip: IPAddress("192.0.2.1")!, helo: nil)).code == .pass)
            #expect(evaluator.evaluate(.mailFrom("a@broken.example.com", ip: IPAddress("192.0.2.1")!, helo: nil)).code == .permerror)
        }
        #expect(cache.misses == 2 && cache.hits == 4 && cache.count == 2)
        for n in 0..<5 {
            _ = cache.record(Array("v=spf1 ip4:10.0.0.\(n)".utf8))
        }
        #expect(cache.count == 2)
        // A changed record is a different key: never a stale answer.
        zone.remove("example.com")
        zone.add("example.com", .txt("v=spf1 -all"))
        #expect(SPFEvaluator(resolver: zone, recordCache: cache)
            .evaluate(.mailFrom("a@example.com", ip: IPAddress("192.0.2.1")!, helo: nil)).code == .fail)
    }
}
