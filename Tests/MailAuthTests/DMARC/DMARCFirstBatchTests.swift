import MailAuth
import Testing

/// The first batch of a From domain is worked out once per evaluator
/// (issue 12); what `questions(forFromDomain:)` announced and what
/// `evaluate` asks must still agree, also after the options change.
@Suite struct DMARCFirstBatchTests {
    final class Counting: DNSResolver {
        let zone: InMemoryDNSResolver
        var asked: [[DNSQuestion]] = []
        init(_ zone: InMemoryDNSResolver) { self.zone = zone }
        func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] {
            asked.append(questions)
            return zone.lookup(questions)
        }
    }

    static let psl = PublicSuffixList(text: "com\n")

    static func zone() -> InMemoryDNSResolver {
        var zone = InMemoryDNSResolver()
        zone.add("mail.example.com", .a("192.0.2.1"))
        zone.add("example.com", .mx(preference: 10, exchange: "mx.example.com"))
        zone.add("_dmarc.example.com", .txt("v=DMARC1; p=reject"))
        return zone
    }

    @Test func evaluateAsksWhatTheQuestionsAnnounced() {
        let counting = Counting(Self.zone())
        let evaluator = DMARCEvaluator(resolver: counting, publicSuffixList: Self.psl)
        let announced = evaluator.questions(forFromDomain: "mail.example.com")
        let result = evaluator.evaluate(DMARCRequest(fromDomain: "mail.example.com", spf: nil, dkim: []))
        #expect(counting.asked.first == announced)
        #expect(result.policyDomain == "example.com")
        #expect(evaluator.questions(forFromDomain: "not a domain").isEmpty)
        #expect(evaluator.evaluate(DMARCRequest(fromDomain: "not a domain", spf: nil, dkim: [])).code == .permerror)
    }

    @Test func aChangedOptionChangesTheBatch() {
        let counting = Counting(Self.zone())
        var evaluator = DMARCEvaluator(resolver: counting, publicSuffixList: Self.psl)
        let treeWalk = evaluator.questions(forFromDomain: "mail.example.com")
        evaluator.options = DMARCOptions.rfc7489()
        let rfc7489 = evaluator.questions(forFromDomain: "mail.example.com")
        #expect(treeWalk != rfc7489)
        _ = evaluator.evaluate(DMARCRequest(fromDomain: "mail.example.com", spf: nil, dkim: []))
        #expect(counting.asked.first == rfc7489)
    }
}
