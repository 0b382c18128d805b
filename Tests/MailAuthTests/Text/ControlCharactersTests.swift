@testable import MailAuth
import Testing

/// Control characters from hostile input in the values the milter writes:
/// the shared helper, Authentication-Results values and comments (RFC 8601,
/// RFC 5322 quoted-strings and comments have no room for them) and the
/// Received-SPF key-value pairs (RFC 7208 section 9.1).
@Suite struct ControlCharactersTests {
    @Test func whatCountsAsAControl() {
        for value: UInt32 in [0x00, 0x07, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f, 0x80, 0x85, 0x9b, 0x9f] {
            #expect(ControlCharacters.isControl(Unicode.Scalar(value)!), "U+\(String(value, radix: 16))")
        }
        for value: UInt32 in [0x20, 0x41, 0x7e, 0xa0, 0xfc, 0x2028] {
            #expect(!ControlCharacters.isControl(Unicode.Scalar(value)!), "U+\(String(value, radix: 16))")
        }
    }

    @Test func printableAndEscaped() {
        let hostile = "a\u{0}b\n\u{1b}[31m\u{7f}\u{9b}ü"
        #expect(ControlCharacters.printable(hostile) == "a?b??[31m??ü")
        #expect(ControlCharacters.escaped(hostile) == #"a\x00b\x0a\x1b[31m\x7f\xc2\x9bü"#)
        #expect(ControlCharacters.contains(hostile))
        #expect(!ControlCharacters.contains("bücher.example"))
    }

    /// `loggable` returns clean text as it is (issue 12); on every text it
    /// must agree with the plain per-scalar rule, also where a 0xC2 lead
    /// byte starts a printable character (U+00A0 to U+00BF).
    @Test func loggableAgreesWithThePerScalarRule() {
        func reference(_ text: String) -> String {
            var out = String.UnicodeScalarView()
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\t", "\n", "\r": out.append(" ")
                default: out.append(ControlCharacters.isControl(scalar) ? "?" : scalar)
                }
            }
            return String(out)
        }
        let alphabet: [Unicode.Scalar] = ["a", " ", "\t", "\n", "\r", "\u{0}", "\u{1b}", "\u{7f}", "\u{80}", "\u{9b}",
                                          "\u{9f}", "\u{a0}", "\u{bf}", "ü", "\u{2028}", "😀"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            var text = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...12, using: &generator) { text.append(alphabet.randomElement(using: &generator)!) }
            let string = String(text)
            #expect(ControlCharacters.loggable(string) == reference(string), "\(Array(string.utf8))")
            let printable = String(String.UnicodeScalarView(string.unicodeScalars.map { ControlCharacters.isControl($0) ? "?" : $0 }))
            #expect(ControlCharacters.printable(string) == printable, "\(Array(string.utf8))")
        }
        #expect(ControlCharacters.loggable("a\u{a0}b\u{85}c") == "a\u{a0}b?c")
        #expect(ControlCharacters.loggable(Substring("x\ny")) == "x y")
    }

    @Test(arguments: [
        ("mail\u{7}.example.org", #"smtp.helo="mail .example.org""#),
        ("a\u{1b}[2J\u{0}b", #"smtp.helo="a [2J b""#),
        ("\u{7f}x\u{85}", "smtp.helo=x"),
        ("ex\u{b}ample", #"smtp.helo="ex ample""#),
    ])
    func propertyValues(raw: String, rendered: String) {
        #expect(AuthResultsProperty(key: "smtp.helo", value: raw).rendered == rendered)
    }

    @Test func commentsAndResults() {
        #expect(AuthResultsComment("key\u{1b}[2J (ok)\u{0}").rendered == "(key [2J (ok))")
        let entry = AuthResultsEntry(method: "x-test", result: "pass\u{1b}", comment: AuthResultsComment("a\u{9b}b"))
        #expect(entry.sortKey == "x-test=pass (a b)")
    }

    @Test func noneHeaderAuthservID() {
        let header = AuthenticationResultsHeader(authservID: "mx\u{1b}.example\nX-Injected: yes", entries: [])
        #expect(header.value() == "mx .example X-Injected: yes; none")
    }

    @Test func receivedSPFValues() {
        #expect(SPFResult.quotedUnlessDotAtom("a\n\u{1b}b@example.com") == #""a\\x0a\\x1bb@example.com""#)
        #expect(SPFResult.quotedUnlessDotAtom("mail\u{7}.example") == #""mail\\x07.example""#)
        #expect(SPFResult.quotedUnlessDotAtom("mail.example") == "mail.example")
        #expect(SPFResult.quotedUnlessDotAtom("b\"ü\"@example") == #""b\"ü\"@example""#)
    }
}

/// Received-SPF's dot-atom test (RFC 5322 atext): every special of atext
/// keeps a value bare, anything else quotes it.
@Suite struct SPFDotAtomTests {
    @Test func everyAtextSpecialAndNothingElse() {
        let specials = Array("!#$%&'*+-/=?^_`{|}~".utf8)
        for byte in UInt8(0x21)...UInt8(0x7e) {
            let value = "a" + String(UnicodeScalar(byte)) + "b"
            let alphanumeric = (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
            let expected = alphanumeric || specials.contains(byte) || byte == UInt8(ascii: ".")
            #expect(SPFResult.isDotAtom(value) == expected, "\(value)")
        }
        #expect(!SPFResult.isDotAtom("a..b"))
        #expect(!SPFResult.isDotAtom(".a"))
    }
}
