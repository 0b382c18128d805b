@testable import Handlers
import MailAuth
import Milter
import TestSupport
import Testing

/// Issue 11 item 5: for a passing chain, the `spf`, `dkim` and `dmarc`
/// passes of the trusted ARC-Authentication-Results are copied into our
/// header as `x-arc-spf`, `x-arc-dkim`, `x-arc-dmarc` with `x-arc-instance`,
/// `x-arc-domain` and `(Trusted from aar.<i>.<domain>)`, as the Perl ARC
/// handler writes them.
@Suite struct ARCHandlerTrustedEntriesTests {
    static let all: Set<String> = ["spf", "dkim", "dmarc"]

    static func record(_ instance: Int, _ results: String) -> ARCAuthenticationResultsRecord {
        ARCAuthenticationResultsRecord(instance: instance, authservID: "mx.forwarder.example", results: results,
                                       payload: "mx.forwarder.example; " + results)
    }

    static func copies(_ trusted: [(record: ARCAuthenticationResultsRecord, domain: String)], methods: Set<String> = all) -> [String] {
        ARCTrustedResultEntries.entries(trusted, methods: methods).map(\.sortKey)
    }

    static let forwarderResults = "spf=pass (sender SPF authorized) smtp.mailfrom=list.example;"
        + " dkim=pass header.d=example.com header.s=s1 (2048-bit rsa key); dkim=fail header.d=other.example;"
        + " dmarc=pass (p=reject) header.from=example.com; iprev=pass smtp.remote-ip=192.0.2.1 (mx.list.example);"
        + " arc=none (no signatures found)"

    @Test func passesAreCopiedWithTheirPropertiesAndComments() {
        #expect(Self.copies([(Self.record(1, Self.forwarderResults), "forwarder.example")]) == [
            "x-arc-spf=pass (sender SPF authorized) smtp.mailfrom=list.example x-arc-instance=1 x-arc-domain=forwarder.example (Trusted from aar.1.forwarder.example)",
            "x-arc-dkim=pass header.d=example.com header.s=s1 (2048-bit rsa key) x-arc-instance=1 x-arc-domain=forwarder.example (Trusted from aar.1.forwarder.example)",
            "x-arc-dmarc=pass (p=reject) header.from=example.com x-arc-instance=1 x-arc-domain=forwarder.example (Trusted from aar.1.forwarder.example)",
        ])
    }

    /// A kind is copied only when its handler is loaded.
    @Test func onlyTheKindsOfLoadedHandlers() {
        #expect(Self.copies([(Self.record(1, Self.forwarderResults), "forwarder.example")], methods: ["spf"]) == [
            "x-arc-spf=pass (sender SPF authorized) smtp.mailfrom=list.example x-arc-instance=1 x-arc-domain=forwarder.example (Trusted from aar.1.forwarder.example)",
        ])
        #expect(Self.copies([(Self.record(1, Self.forwarderResults), "forwarder.example")], methods: []) == [])
    }

    /// Oldest instance first within a kind; spf, then dkim, then dmarc.
    @Test func instancesInOrder() {
        let trusted = [(Self.record(2, "DKIM=Pass header.d=list.example; spf=pass smtp.mailfrom=list.example"), "list.example"),
                       (Self.record(1, "spf=pass smtp.mailfrom=a@example.com"), "forwarder.example")]
        #expect(Self.copies(trusted) == [
            "x-arc-spf=pass smtp.mailfrom=a@example.com x-arc-instance=1 x-arc-domain=forwarder.example (Trusted from aar.1.forwarder.example)",
            "x-arc-spf=pass smtp.mailfrom=list.example x-arc-instance=2 x-arc-domain=list.example (Trusted from aar.2.list.example)",
            "x-arc-dkim=Pass header.d=list.example x-arc-instance=2 x-arc-domain=list.example (Trusted from aar.2.list.example)",
        ])
    }

    /// Entries an earlier hop already copied (they carry x-arc-domain), and
    /// an AAR the Perl parser refuses, give nothing.
    @Test func alreadyCopiedAndUnreadableGiveNothing() {
        #expect(Self.copies([(Self.record(1, "spf=pass smtp.mailfrom=a.example x-arc-instance=1 x-arc-domain=x.example"), "f.example")]) == [])
        #expect(Self.copies([(Self.record(1, "spf=pass smtp.mailfrom=a.example; dkim pass"), "f.example")]) == [])
        #expect(Self.copies([(Self.record(1, "spf=pass (unclosed smtp.mailfrom=a.example"), "f.example")]) == [])
    }

    /// Hostile text stays inside the entry: control characters and
    /// parentheses are cleaned as every value we write; the count is bounded.
    @Test func hostileAARs() {
        let copies = Self.copies([(Self.record(1, "spf=pass smtp.mailfrom=\"a\u{1}(b)\\\"c@x.example\""), "f.example\u{7}")])
        #expect(copies == [
            "x-arc-spf=pass smtp.mailfrom=\"a  b  c@x.example\" x-arc-instance=1 x-arc-domain=f.example (Trusted from aar.1.f.example)",
        ])
        let many = Array(repeating: "dkim=pass header.d=a.example", count: 500).joined(separator: "; ")
        #expect(Self.copies([(Self.record(1, many), "f.example")]).count == ARCTrustedResultEntries.maximumEntries)
    }

    /// Through the handlers: the forwarder's SPF pass arrives in its sealed
    /// AAR; with forwarder.example trusted we copy it, otherwise not.
    @Test(.requiresConformanceData(.dkim)) func throughTheHandlers() throws {
        func entries(trusted: String) throws -> [String] {
            let arc = try ARCHandlerTestSupport.handler(extra: #""trusted_domains": \#(trusted)"#)
            return try DMARCHandlerTestSupport.run(DMARCHandlerTestSupport.handlers(#"{"use_arc": 1}"#, arc: arc),
                                                   from: "<sender@example.com>", headers: DMARCHandlerARCTests.forwarded(),
                                                   body: ARCHandlerTestSupport.body, resolver: DMARCHandlerARCTests.zone()).entries
        }
        let trusted = try entries(trusted: #"["forwarder.example"]"#)
        #expect(trusted.filter { $0.hasPrefix("x-arc-") } == [
            "x-arc-spf=pass smtp.mailfrom=sender@example.com smtp.helo=mail.example.org x-arc-instance=1 x-arc-domain=forwarder.example"
                + " (Trusted from aar.1.forwarder.example)",
        ])
        #expect(try entries(trusted: "[]").filter { $0.hasPrefix("x-arc-") }.isEmpty)
    }
}
