import MailAuth
import Testing

/// The `pra` scope of the evaluator (RFC 4406): `spf2.0/pra` record
/// selection as Mail::SPF makes it, the optional `v=spf1` fallback, the
/// results and the `Received-SPF` text.
@Suite struct SenderIDEvaluationTests {
    static var zone: InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        dns.add("v2.example", [.txt("spf2.0/pra ip4:192.0.2.0/24 -all"), .txt("v=spf1 -all")])
        dns.add("v1only.example", .txt("v=spf1 ip4:192.0.2.0/24 -all"))
        dns.add("mfromonly.example", [.txt("spf2.0/mfrom ip4:192.0.2.0/24 -all"), .txt("v=spf1 +all")])
        dns.add("both.example", .txt("spf2.0/mfrom,pra ip4:192.0.2.0/24 -all"))
        dns.add("soft.example", .txt("spf2.0/pra ~all"))
        dns.add("neutral.example", .txt("SPF2.0/pra,mfrom"))
        dns.add("two.example", [.txt("spf2.0/pra -all"), .txt("spf2.0/mfrom,pra ~all")])
        dns.add("upper.example", .txt("spf2.0/PRA -all"))
        dns.add("bad.example", .txt("spf2.0/pra foo:bar -all"))
        dns.add("badmfrom.example", [.txt("spf2.0/pra -all"), .txt("spf2.0/mfrom foo:bar -all")])
        dns.add("badv1.example", [.txt("spf2.0/pra ?all"), .txt("v=spf1 foo:bar")])
        dns.add("notv2.example", [.txt("spf2.0/pra,helo -all"), .txt("spf2.0/ -all"), .txt("spf2.0/pramfrom -all")])
        dns.add("include.example", .txt("spf2.0/pra include:v1only.example -all"))
        dns.add("include2.example", .txt("spf2.0/pra include:v2.example -all"))
        dns.add("redirect.example", .txt("spf2.0/pra redirect=v2.example"))
        dns.add("twov1.example", [.txt("v=spf1 -all"), .txt("v=spf1 +all")])
        dns.markTimeout("slow.example")
        dns.markServfail("broken.example")
        return dns
    }

    static func check(_ address: String, ip: String = "192.0.2.1", fallback: Bool = false,
                      zone: InMemoryDNSResolver = zone) -> SPFResult {
        var options = SPFOptions()
        options.senderIDFallsBackToVersion1 = fallback
        return SPFEvaluator(resolver: zone, options: options)
            .evaluate(.pra(address, ip: IPAddress(ip)!, helo: "mail.example.org"))
    }

    @Test func theRequestIsInThePRAScope() {
        let request = SPFRequest.pra("Alice@Example.COM.", ip: IPAddress("192.0.2.1")!, helo: "mail.example.org")
        #expect(request.scope == .pra && request.localPart == "Alice" && request.domain == "example.com")
        #expect(request.helo == "mail.example.org")
        #expect(SPFRequest.Scope.pra.receivedSPFName == "pra" && SPFRequest.Scope.pra.receivedSPFIdentityKey == "pra")
        #expect(SPFRequest.pra("@example.com", ip: IPAddress("192.0.2.1")!, helo: nil).localPart == "postmaster")
    }

    @Test func passAndFailFromAnSPF2PRARecord() {
        let pass = Self.check("a@v2.example")
        #expect(pass.code == .pass && pass.mechanism == "ip4:192.0.2.0/24")
        #expect(pass.receivedSPFValue(receiver: "mx.example.net") == """
            pass (v2.example: 192.0.2.1 is authorized to use 'a@v2.example' in 'pra' identity \
            (mechanism 'ip4:192.0.2.0/24' matched)) receiver=mx.example.net; identity=pra; \
            pra="a@v2.example"; helo=mail.example.org; client-ip=192.0.2.1
            """)
        let fail = Self.check("a@v2.example", ip: "198.51.100.1")
        #expect(fail.code == .fail && fail.mechanism == "-all")
        #expect(fail.explanation == "Please see http://www.openspf.org/Why?s=pra;id=a%40v2.example;ip=198.51.100.1;r=unknown")
    }

    @Test func softfailNeutralAndBothScopes() {
        #expect(Self.check("a@soft.example").code == .softfail)
        let neutral = Self.check("a@neutral.example")
        #expect(neutral.code == .neutral && neutral.text == "Default neutral result due to no mechanism matches")
        #expect(Self.check("a@both.example").code == .pass)
        #expect(Self.check("a@both.example", ip: "2001:db8::1").code == .fail)
    }

    @Test func version1RecordsAreNotUsedByDefault() {
        let none = Self.check("a@v1only.example")
        #expect(none.code == .none && none.text == "No applicable sender policy available")
        #expect(none.receivedSPFValue(receiver: "mx.example.net") == """
            none (v1only.example: No applicable sender policy available) receiver=mx.example.net; \
            identity=pra; pra="a@v1only.example"; helo=mail.example.org; client-ip=192.0.2.1
            """)
        // The spf2.0 record decides even when a v=spf1 one says otherwise.
        #expect(Self.check("a@v2.example", fallback: true).code == .pass)
    }

    @Test func mfromOnlyRecordsAreIgnoredForPRA() {
        #expect(Self.check("a@mfromonly.example").code == .none)
        // They also block the v=spf1 fallback (RFC 4406 section 3.4).
        #expect(Self.check("a@mfromonly.example", fallback: true).code == .none)
    }

    @Test func version1FallbackWhenThereIsNoSPF2Record() {
        #expect(Self.check("a@v1only.example", fallback: true).code == .pass)
        #expect(Self.check("a@v1only.example", ip: "198.51.100.1", fallback: true).code == .fail)
        let redundant = Self.check("a@twov1.example", fallback: true)
        #expect(redundant.code == .permerror && redundant.text == "Redundant applicable 'v=spf1' sender policies found")
        #expect(Self.check("a@twov1.example").code == .none)
    }

    @Test func selectionErrorsAreMailSPFs() {
        let two = Self.check("a@two.example")
        #expect(two.code == .permerror && two.text == "Redundant applicable 'spf2.0' sender policies found")
        let upper = Self.check("a@upper.example")
        #expect(upper.code == .permerror && upper.text == "Invalid scope 'PRA' for spf2.0 record")
        let bad = Self.check("a@bad.example")
        #expect(bad.code == .permerror && bad.text == "Unknown mechanism type 'foo' in 'spf2.0/pra' record")
        // Every spf2.0 record is parsed, whatever its scope.
        let badMfrom = Self.check("a@badmfrom.example")
        #expect(badMfrom.code == .permerror && badMfrom.text == "Unknown mechanism type 'foo' in 'spf2.0/mfrom' record")
        // A broken v=spf1 record is never read without the fallback.
        #expect(Self.check("a@badv1.example").code == .neutral)
        #expect(Self.check("a@notv2.example").code == .none)
    }

    @Test func includesAndRedirectsStayInThePRAScope() {
        let include = Self.check("a@include.example")
        #expect(include.code == .permerror && include.text == "Included domain 'v1only.example' has no applicable sender policy")
        #expect(Self.check("a@include.example", fallback: true).code == .pass)
        #expect(Self.check("a@include2.example").code == .pass)
        let redirect = Self.check("a@redirect.example")
        #expect(redirect.code == .pass && redirect.isNested && redirect.authorityDomain == "v2.example")
    }

    @Test func dnsFailuresAreTemperrors() {
        let timeout = Self.check("a@slow.example")
        #expect(timeout.code == .temperror && timeout.text == "Time-out on DNS 'TXT' lookup of 'slow.example'")
        #expect(Self.check("a@broken.example").code == .temperror)
        #expect(Self.check("a@nowhere.example").code == .none)
        #expect(Self.check("not-an-address").code == .none)
    }

    @Test func theMailFromScopeStillIgnoresSPF2Records() {
        let result = SPFEvaluator(resolver: Self.zone)
            .evaluate(.mailFrom("a@mfromonly.example", ip: IPAddress("198.51.100.1")!, helo: "mail.example.org"))
        #expect(result.code == .pass && result.mechanism == "all")
        #expect(result.receivedSPFValue(receiver: "mx").contains("identity=mailfrom; envelope-from="))
    }
}
