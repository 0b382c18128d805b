import MailAuth
import Testing

/// RFC 3492 Punycode encoding (section 7.1 samples and common names).
@Suite struct PublicSuffixPunycodeTests {
    @Test func samples() {
        #expect(PublicSuffixPunycode.aLabel("bücher") == "xn--bcher-kva")
        #expect(PublicSuffixPunycode.aLabel("münchen") == "xn--mnchen-3ya")
        #expect(PublicSuffixPunycode.aLabel("公司") == "xn--55qx5d")
        #expect(PublicSuffixPunycode.aLabel("中国") == "xn--fiqs8s")
        // RFC 3492 7.1 (A) Arabic (Egyptian) and (B) Chinese (simplified).
        #expect(PublicSuffixPunycode.aLabel("\u{644}\u{64A}\u{647}\u{645}\u{627}\u{628}\u{62A}\u{643}\u{644}\u{645}\u{648}\u{634}\u{639}\u{631}\u{628}\u{64A}\u{61F}")
                == "xn--egbpdaj6bu4bxfgehfvwxn")
        #expect(PublicSuffixPunycode.aLabel("他们为什么不说中文") == "xn--ihqwcrb4cv8a8dqg056pqjye")
        // (L) mixed: 3<nen>B<gumi><kinpachi><sensei>
        #expect(PublicSuffixPunycode.aLabel("3年B組金八先生") == "xn--3B-ww4c5e180e575a65lsy2b")
    }

    @Test func asciiPassesAndHugeLabelsAreRefused() {
        #expect(PublicSuffixPunycode.aLabel("xn--bcher-kva") == "xn--bcher-kva")
        #expect(PublicSuffixPunycode.aLabel("Example") == "Example")
        #expect(PublicSuffixPunycode.aLabel(String(repeating: "ü", count: 10_000)) == nil)
        #expect(PublicSuffixPunycode.aLabel(String(repeating: "\u{10FFFF}", count: 255)) != nil)
    }
}
