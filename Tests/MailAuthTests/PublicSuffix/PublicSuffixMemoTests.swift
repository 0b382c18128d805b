import MailAuth
import Testing

/// Answers are remembered per list: asking again gives the same answer,
/// and another list with other rules is not answered from this one's memory.
@Suite struct PublicSuffixMemoTests {
    @Test func rememberedAnswersAreTheListsOwn() {
        let withCoUK = PublicSuffixList(text: "uk\nco.uk\n")
        let withoutCoUK = PublicSuffixList(text: "uk\n")
        for _ in 0..<3 {
            #expect(withCoUK.organizationalDomain(of: "Mail.Example.CO.UK.") == "example.co.uk")
            #expect(withoutCoUK.organizationalDomain(of: "Mail.Example.CO.UK.") == "co.uk")
            #expect(withCoUK.isPublicSuffix("co.uk"))
            #expect(!withoutCoUK.isPublicSuffix("co.uk"))
            #expect(withCoUK.publicSuffix(of: "a.b.co.uk") == "co.uk")
            #expect(withCoUK.organizationalDomain(of: "a..b") == "a..b")
        }
    }
}
