import Testing

@testable import BenchSupport

/// method=result pairs from A-R values, ours and the peers'.
@Suite struct AuthResultsSummaryTests {
    @Test func oursOneHeaderManyEntries() {
        let value = "mx.bench.example;\n    arc=none (no signatures found);\n    dkim=pass (2048-bit rsa key sha256) header.d=a.example;\n"
            + "    dkim=fail (body has been altered; 2048-bit rsa key) header.d=b.example;\n    dkim-adsp=none;\n"
            + "    spf=pass smtp.mailfrom=\"a;b@a.example\" smtp.helo=mail.a.example"
        let summary = AuthResultsSummary(values: [value])
        #expect(summary.results == ["arc": ["none"], "dkim": ["fail", "pass"], "dkim-adsp": ["none"], "spf": ["pass"]])
    }

    @Test func peersOneHeaderEach() {
        let values = [" mx.bench.example;\n\tdkim=pass (2048-bit key; unprotected) header.d=a.example header.b=abc;\n\tdkim-atps=neutral",
                      "mx.bench.example; spf=fail smtp.mailfrom=a.example",
                      "mx.bench.example; dmarc=fail (p=quarantine dis=none) header.from=a.example",
                      "mx.bench.example; none"]
        let summary = AuthResultsSummary(values: values)
        #expect(summary.results == ["dkim": ["pass"], "dkim-atps": ["neutral"], "spf": ["fail"], "dmarc": ["fail"]])
    }

    @Test func mismatches() throws {
        let summary = AuthResultsSummary(values: ["x; spf=pass; dkim=pass; dmarc=fail"])
        let expected = try #require(MixExpectation.parse("spf=pass dkim=pass,pass dmarc=pass arc=none iprev=pass"))
        #expect(summary.mismatches(against: expected, methods: ["spf", "dkim", "dmarc", "arc"])
            == ["dkim: wanted pass,pass, got pass", "dmarc: wanted pass, got fail"], "arc none may be missing")
        #expect(summary.mismatches(against: expected, methods: ["iprev"]) == ["iprev: wanted pass, got nothing"])
        #expect(summary.mismatches(against: expected, methods: []) == [])
        let slash = AuthResultsSummary(values: ["x; dkim=pass header.d=a.example header.b=/ab+cd header.s=s"])
        #expect(slash.results == ["dkim": ["pass"]], "a value starting with / is still read")
        let broken = AuthResultsSummary(values: ["x; spf=pass (unbalanced"])
        #expect(broken.mismatches(against: expected, methods: []) == ["unreadable Authentication-Results: x; spf=pass (unbalanced"])
    }
}
