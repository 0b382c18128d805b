import MailAuth
import Testing

@Suite struct DNSChainFollowerTests {
    let soa = DNSResourceRecord(owner: "example.test", ttl: 600,
                                record: .soa(DNSSOA(mname: "ns.example.test", rname: "h.example.test", minimum: 60)))

    func rr(_ owner: String, _ record: DNSRecord, ttl: UInt32 = 300) -> DNSResourceRecord {
        DNSResourceRecord(owner: owner, ttl: ttl, record: record)
    }

    @Test func directAnswer() {
        var follower = DNSChainFollower(question: DNSQuestion(name: "WWW.example.test.", type: .a))
        let message = DNSResponseMessage(rcode: .noError, answers: [
            rr("www.example.test", .a("192.0.2.1"), ttl: 300),
            rr("www.Example.TEST", .a("192.0.2.2"), ttl: 100),
            rr("other.example.test", .a("192.0.2.3")),          // not ours: ignored
            rr("www.example.test", .aaaa("2001:db8::1")),         // other type: ignored
        ])
        #expect(follower.interpret(message) == .finished(.answer([.a("192.0.2.1"), .a("192.0.2.2")], ttl: 100), ttl: 100))
    }

    @Test func wholeChainInOneAnswerTakesTheSmallestTTL() {
        var follower = DNSChainFollower(question: DNSQuestion(name: "alias.example.test", type: .txt))
        let message = DNSResponseMessage(rcode: .noError, answers: [
            rr("alias.example.test", .cname("Mid.Example.Test."), ttl: 30),
            rr("mid.example.test", .cname("txt.example.test"), ttl: 900),
            rr("txt.example.test", .txt("v=spf1 ", "-all"), ttl: 300),
        ])
        #expect(follower.interpret(message) == .finished(.answer([.txt("v=spf1 ", "-all")], ttl: 30), ttl: 30))
        #expect(follower.links == 2)
    }

    @Test func partialChainAsksForTheTarget() {
        var follower = DNSChainFollower(question: DNSQuestion(name: "alias.example.test", type: .a))
        let first = DNSResponseMessage(rcode: .noError, answers: [rr("alias.example.test", .cname("www.example.test"), ttl: 60)])
        #expect(follower.interpret(first) == .ask(DNSQuestion(name: "www.example.test", type: .a)))
        let second = DNSResponseMessage(rcode: .noError, answers: [rr("www.example.test", .a("192.0.2.1"), ttl: 300)])
        #expect(follower.interpret(second) == .finished(.answer([.a("192.0.2.1")], ttl: 60), ttl: 60))
    }

    @Test func negativeAnswersAtTheEndOfAChain() {
        var nx = DNSChainFollower(question: DNSQuestion(name: "alias.example.test", type: .a))
        let nxMessage = DNSResponseMessage(rcode: .nameError, answers: [rr("alias.example.test", .cname("gone.example.test"), ttl: 30)],
                                           authoritySOA: soa)
        #expect(nx.interpret(nxMessage) == .finished(.nxdomain, ttl: 30))

        var nodata = DNSChainFollower(question: DNSQuestion(name: "alias.example.test", type: .mx))
        let nodataMessage = DNSResponseMessage(rcode: .noError, answers: [rr("alias.example.test", .cname("www.example.test"), ttl: 300)],
                                               authoritySOA: soa)
        #expect(nodata.interpret(nodataMessage) == .finished(.nodata, ttl: 60))
    }

    @Test func negativeTTLFollowsRFC2308() {
        #expect(DNSResponseMessage(rcode: .nameError, authoritySOA: soa).negativeTTL == 60)
        let shortSOA = DNSResourceRecord(owner: "x", ttl: 5, record: .soa(DNSSOA(mname: "a", rname: "b", minimum: 3600)))
        #expect(DNSResponseMessage(rcode: .nameError, authoritySOA: shortSOA).negativeTTL == 5)
        #expect(DNSResponseMessage(rcode: .nameError).negativeTTL == 0)
        var follower = DNSChainFollower(question: DNSQuestion(name: "nope.example.test", type: .a))
        #expect(follower.interpret(DNSResponseMessage(rcode: .nameError)) == .finished(.nxdomain, ttl: 0))
    }

    @Test func loopsAndLongChainsAreServfail() {
        var loop = DNSChainFollower(question: DNSQuestion(name: "a.test", type: .a))
        let loopMessage = DNSResponseMessage(rcode: .noError, answers: [rr("a.test", .cname("b.test")), rr("b.test", .cname("A.test"))])
        #expect(loop.interpret(loopMessage) == .finished(.servfail, ttl: 0))

        var long = DNSChainFollower(question: DNSQuestion(name: "c0.test", type: .a))
        let links = (0..<9).map { rr("c\($0).test", .cname("c\($0 + 1).test")) } + [rr("c9.test", .a("192.0.2.1"))]
        #expect(long.interpret(DNSResponseMessage(rcode: .noError, answers: links)) == .finished(.servfail, ttl: 0))

        var eight = DNSChainFollower(question: DNSQuestion(name: "c1.test", type: .a))
        #expect(eight.interpret(DNSResponseMessage(rcode: .noError, answers: links)) == .finished(.answer([.a("192.0.2.1")], ttl: 300), ttl: 300))
    }

    @Test func aCNAMEQuestionIsNotFollowed() {
        var follower = DNSChainFollower(question: DNSQuestion(name: "alias.example.test", type: .cname))
        let message = DNSResponseMessage(rcode: .noError, answers: [rr("alias.example.test", .cname("www.example.test"))])
        #expect(follower.interpret(message) == .finished(.answer([.cname("www.example.test")], ttl: 300), ttl: 300))
    }

    @Test func serverFailuresAreNotAnswers() {
        var follower = DNSChainFollower(question: DNSQuestion(name: "x.test", type: .a))
        #expect(follower.interpret(DNSResponseMessage(rcode: .serverFailure)) == .finished(.servfail, ttl: 0))
        #expect(follower.interpret(DNSResponseMessage(rcode: .refused)) == .finished(.error("REFUSED"), ttl: 0))
        #expect(DNSResponseCode(rawValue: 12).description == "RCODE12")
    }
}
