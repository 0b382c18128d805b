@testable import MailAuth
import Testing

@Suite struct EmailAddressParserTests {
    @Test func angleBrackets() {
        #expect(EmailAddressParser.addresses(in: "\"Joe (at) home\" <joe@example.com>") == ["joe@example.com"])
        #expect(EmailAddressParser.addresses(in: "<a@x.test>, B <b@y.test>") == ["a@x.test", "b@y.test"])
    }
    @Test func bareAndComments() {
        #expect(EmailAddressParser.addresses(in: "joe@example.com (Joe @ work)") == ["joe@example.com"])
        #expect(EmailAddressParser.addresses(in: "\"x@evil.test\" joe@good.test") == ["joe@good.test"])
        #expect(EmailAddressParser.addresses(in: "") == [])
        #expect(EmailAddressParser.addresses(in: "<>") == [])
        #expect(EmailAddressParser.addresses(in: "(unclosed <a@b.c>") == [])
    }
    @Test func domains() {
        #expect(EmailAddressParser.domain(of: "a@Example.COM.") == "Example.COM")
        #expect(EmailAddressParser.domain(of: "\"a@b\"@c.test") == "c.test")
        #expect(EmailAddressParser.domain(of: "postmaster") == "")
    }
}

@Suite struct EmailAddressParserLimitTests {
    @Test func limitStopsBothForms() {
        #expect(EmailAddressParser.addresses(in: "<a@x.test>, <b@y.test>, <c@z.test>", limit: 2) == ["a@x.test", "b@y.test"])
        #expect(EmailAddressParser.addresses(in: "a@x.test, b@y.test, c@z.test", limit: 1) == ["a@x.test"])
        #expect(EmailAddressParser.addresses(in: "a@x.test", limit: 0) == [])
    }

    @Test func aHugeHeaderIsParsedInOnePass() {
        // 40,000 addresses (about 1 MB): linear, and capped when asked.
        let text = (0..<40_000).map { "\"User \($0)\" <u\($0)@d\($0).example>" }.joined(separator: ", ")
        #expect(EmailAddressParser.addresses(in: text).count == 40_000)
        #expect(EmailAddressParser.addresses(in: text, limit: 1_000).last == "u999@d999.example")
    }
}
