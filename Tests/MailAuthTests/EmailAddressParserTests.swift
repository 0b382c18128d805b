import Testing
@testable import MailAuth

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
