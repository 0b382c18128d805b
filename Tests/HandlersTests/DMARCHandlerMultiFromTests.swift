import Foundation
import Handlers
import MailAuth
import Testing

/// A From header with very many addresses: the work is bounded by the
/// `*_on_multifrom` limits and the address cap, the lookups go out in one
/// batch, and nothing is quadratic in the number of addresses (40,000
/// addresses took minutes before; these tests finish in well under a
/// second).
@Suite struct DMARCHandlerMultiFromTests {
    typealias Support = DMARCHandlerTestSupport

    /// Records the batches asked, passing them on.
    final class CountingResolver: DNSResolver {
        let upstream: any DNSResolver
        private(set) var batches: [[DNSQuestion]] = []
        init(_ upstream: any DNSResolver) { self.upstream = upstream }
        var questions: Int { batches.reduce(0) { $0 + $1.count } }
        var dmarcBatches: [[DNSQuestion]] { batches.filter { $0.contains { $0.name.hasPrefix("_dmarc.") } } }
        func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] {
            batches.append(questions)
            return upstream.lookup(questions)
        }
    }

    /// One From field of `count` addresses in distinct domains d0.example ...
    static func hugeFrom(_ count: Int) -> String {
        (0..<count).map { "u\($0)@d\($0).example" }.joined(separator: ", ")
    }

    /// The handler alone at end of message (SPF and DKIM peers attached,
    /// not run): the session it wrote to.
    static func endOfMessage(config: String, from: String, resolver: any DNSResolver) throws -> MailSession {
        let handlers = try Support.handlers(config)
        let dmarc = try #require(handlers.last as? DMARCHandler)
        let session = MailSession(resolver: resolver)
        session.remoteIP = "192.0.2.1"
        try dmarc.envelopeFrom(session, address: "<sender@example.com>")
        try dmarc.header(session, name: "From", value: from)
        try dmarc.endOfMessage(session)
        return session
    }

    @Test func fortyThousandDomainsUnderTheLimitsCostNineEvaluationsInOneBatch() throws {
        let resolver = CountingResolver(try Support.zone())
        // RFC 7489 discovery: one `_dmarc` name per domain (the tree walk
        // adds the shared parent's, asked once).
        let session = try Self.endOfMessage(config: #"{"skip_on_multifrom": 10, "quarantine_on_multifrom": 20, "reject_on_multifrom": 30, "discovery": "rfc7489"}"#,
                                       from: Self.hugeFrom(40_000), resolver: resolver)
        // 9 evaluated (the 10th on are skipped), the 30th rejects.
        #expect(session.authResults.count == 9)
        #expect(session.verdict == .reject(DMARCHandler.rejectReply))
        // Each evaluation asks `_dmarc.<domain>` and the existence checks
        // (MX, NS, A, AAAA): 9 x 5 questions, all in one batch.
        #expect(resolver.batches.count == 1)
        #expect(resolver.questions == 9 * 5)
    }

    @Test func fortyThousandDomainsWithoutLimitsStopAtTheAddressCap() throws {
        let resolver = CountingResolver(try Support.zone())
        let session = try Self.endOfMessage(config: #"{"discovery": "rfc7489"}"#, from: Self.hugeFrom(40_000), resolver: resolver)
        // Limits off: every distinct domain of the first 1,000 addresses is
        // evaluated (none is in DNS: dmarc=none each), the rest not read.
        #expect(DMARCHandler.maximumFromAddresses == 1_000)
        #expect(session.authResults.count == DMARCHandler.maximumFromAddresses)
        #expect(session.authResults.allSatisfy { $0.result == "none" })
        #expect(resolver.batches.count == 1)
        #expect(resolver.questions == DMARCHandler.maximumFromAddresses * 5)
    }

    @Test func unansweredPolicyLookupsGoOutAsOneBatch() throws {
        var zone = try Support.zone()
        let domains = (0..<20).map { "t\($0).example" }
        for domain in domains {
            zone.add(domain, .a("198.51.100.20"))
            zone.markTimeout("_dmarc." + domain)
        }
        let resolver = CountingResolver(zone)
        let from = domains.map { "user@" + $0 }.joined(separator: ", ")
        let run = try Support.run(Support.handlers(), headers: Support.from(from), resolver: resolver)
        // One wait for all twenty, not twenty waits one after the other.
        let batches = resolver.dmarcBatches
        #expect(batches.count == 1)
        #expect(Set(batches.first ?? []).isSuperset(of: domains.map { DNSQuestion(name: "_dmarc." + $0, type: .txt) }))
        // (The header is folded: an entry may start on a new line.)
        let entries = run.entries.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { $0.hasPrefix("dmarc=") }
        #expect(entries == domains.sorted().map { "dmarc=temperror header.from=" + $0 })
    }

    @Test func theOrderAndTheEntriesOfAFewDomainsAreUnchanged() throws {
        // Duplicates over two fields, mixed case: each domain once, sorted
        // bytewise, identical entries once, Perl's entry order.
        let run = try Support.run(Support.handlers(), from: "<>", headers: Support.from(
            "a@reject.example, B@None.Example, c@reject.example", [("From", "d@quarantine.example, e@none.example")]))
        #expect(run.dmarc.map { $0.split(separator: " ").last.map(String.init) ?? "" }
                == ["header.from=quarantine.example", "header.from=reject.example", "header.from=none.example"])
    }
}
