@testable import MailAuth
import Testing

/// The one-pass check that returns a clean value or comment untouched
/// must agree with the full clean-up on every text: the edge cases, then
/// 20,000 random texts over the characters the rules look at.
@Suite struct AuthenticationResultsTextFastPathTests {
    static let edgeCases = ["", " ", "a", " a", "a ", "a b", "a(b)c", "(a", "a)", ")(", "a\\b", "a\"b", "a;b", "a\tb",
                            "a\u{7f}", "a\u{85}b", "é", "\u{a0}", "x=y", "((a)(b))", "\u{0B}a", "a\u{0C}"]

    static func check(_ text: String) {
        #expect(AuthResultsText.safeValue(text) == AuthResultsText.cleanedValue(text), "\(text.debugDescription)")
        #expect(AuthResultsText.safeComment(text) == AuthResultsText.cleanedComment(text), "\(text.debugDescription)")
    }

    @Test func edgeCasesAgree() {
        for text in Self.edgeCases { Self.check(text) }
    }

    @Test func randomTextsAgree() {
        let alphabet: [Unicode.Scalar] = ["a", " ", "\t", "\n", "(", ")", "\\", "\"", ";", "=", "\u{0}", "\u{7f}", "\u{85}", "\u{a0}", "é"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...7, using: &generator) { scalars.append(alphabet.randomElement(using: &generator)!) }
            Self.check(String(scalars))
        }
    }

    /// `stringify` reads bytes; the module's rule is over characters
    /// (Perl `\s` on ASCII, parentheses, `;`, `=`).
    static func stringifiedByScalars(_ text: String) -> String {
        let needsQuotes = text.unicodeScalars.contains { scalar in
            AuthResultsText.isPerlSpace(scalar) || scalar == "(" || scalar == ")" || scalar == ";" || scalar == "="
        }
        return needsQuotes ? "\"" + text + "\"" : text
    }

    @Test func stringifyQuotesAsTheCharacterRuleDoes() {
        for text in Self.edgeCases + ["\u{2003}", "\u{3000}x", "a\u{0B}", "日本=語", "x\u{1F600}(y"] {
            #expect(AuthResultsText.stringify(text) == Self.stringifiedByScalars(text), "\(text.debugDescription)")
        }
        let alphabet: [Unicode.Scalar] = ["a", " ", "\t", "\u{0B}", "\u{0C}", "(", ")", ";", "=", "\u{85}", "\u{a0}", "\u{2003}", "é", "語"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...7, using: &generator) { scalars.append(alphabet.randomElement(using: &generator)!) }
            let text = String(scalars)
            #expect(AuthResultsText.stringify(text) == Self.stringifiedByScalars(text), "\(text.debugDescription)")
        }
    }
}
