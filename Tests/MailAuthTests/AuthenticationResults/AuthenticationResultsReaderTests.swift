import MailAuth
import Testing

/// Reading results back as Mail::AuthenticationResults::Parser does: the
/// entries re-render with their comments where they stood.
@Suite struct AuthenticationResultsReaderTests {
    static func rendered(_ text: String) -> [String]? {
        AuthResultsReader.entries(text)?.map(\.sortKey)
    }

    @Test func entriesPropertiesAndComments() {
        #expect(Self.rendered("spf=pass (good) smtp.mailfrom=a@b.example smtp.helo=mx (helo ok); dkim=pass header.d=b.example (2048-bit key) header.s=s1")
            == ["spf=pass (good) smtp.mailfrom=a@b.example smtp.helo=mx (helo ok)",
                "dkim=pass header.d=b.example (2048-bit key) header.s=s1"])
    }

    @Test func quotedValuesAndVersions() {
        #expect(Self.rendered(#"dkim/1=pass header.i="@b.example" header.b="AbC+/=""#) == [#"dkim=pass / 1 header.i=@b.example header.b="AbC+/=""#])
        #expect(Self.rendered("auth=pass smtp.auth=\"a b\"") == ["auth=pass smtp.auth=\"a b\""])
    }

    @Test func noneAndEmptySegmentsHoldNothing() {
        #expect(Self.rendered("none") == [])
        #expect(Self.rendered("") == [])
        #expect(Self.rendered("(just a comment); spf=none smtp.mailfrom=a.example;") == ["spf=none smtp.mailfrom=a.example"])
    }

    @Test(arguments: ["spf pass", "spf==pass", "spf=pass header.b=/x", "spf=pass (open", "spf=pass smtp.mailfrom=\"open",
                      "dkim/x=pass", "none spf=pass", "=pass"])
    func whatPerlRefusesIsUnreadable(text: String) {
        #expect(Self.rendered(text) == nil)
    }

    /// Hostile sizes: one pass each, no quadratic path (a 300 KB value is
    /// read in well under a second).
    @Test func largeHostileTextsAreLinear() {
        let clock = ContinuousClock()
        let started = clock.now
        #expect(Self.rendered(String(repeating: "(", count: 100_000))?.count == nil)
        #expect(Self.rendered(String(repeating: "\"", count: 100_001))?.count == nil)
        #expect(Self.rendered(String(repeating: "a=", count: 100_000))?.count == 1)
        #expect(Self.rendered(String(repeating: "(c)", count: 100_000))?.isEmpty == true)
        #expect(Self.rendered(String(repeating: "spf=pass x.y=z (c) ", count: 10_000))?.count == 1)
        #expect(clock.now - started < .seconds(5))
    }
}
