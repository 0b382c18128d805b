@testable import MailAuth
import Testing

/// RFC 8616: the one IDNA-to-ASCII conversion every name from mail goes
/// through before DNS (RFC 5890/5891 labels, RFC 3492 Punycode).
@Suite struct DomainNameIDNATests {
    @Test(arguments: [
        ("bücher.example", "xn--bcher-kva.example"),
        ("Bücher.EXAMPLE", "xn--bcher-kva.example"),
        ("BÜCHER.example", "xn--bcher-kva.example"),
        ("münchen.", "xn--mnchen-3ya."),
        ("例え.テスト", "xn--r8jz45g.xn--zckzah"),
        ("例え。テスト", "xn--r8jz45g.xn--zckzah"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("_SPF.Example.COM", "_spf.example.com"),
        ("mail.bücher.example", "mail.xn--bcher-kva.example"),
    ])
    func convertsToALabels(input: String, expected: String) {
        #expect(DomainNameIDNA.toASCII(input) == expected)
    }

    @Test(arguments: [
        "bü cher.example",           // a space
        "bü\u{200D}cher.example",    // ZWJ (a format character)
        "-bü.example", "bü-.example", // hyphen at an end
        "ab--bü.example",            // "--" in the third and fourth places
        "\u{0301}a.example",         // begins with a combining mark
        "bü..example",               // an empty label
        "☃.example",                 // a symbol
        "bü_cher.example",           // ASCII other than letters, digits, hyphen in a U-label
        "bü\u{7}.example",           // a control character
        String(repeating: "ü", count: 64) + ".example",
    ])
    func refusesInvalidLabels(input: String) {
        #expect(DomainNameIDNA.toASCII(input) == nil)
    }

    @Test func boundedOnHostileInput() {
        #expect(DomainNameIDNA.toASCII(String(repeating: "ü.", count: 600)) == nil)
        #expect(DomainNameIDNA.queryName("bücher.example") == "xn--bcher-kva.example")
        #expect(DomainNameIDNA.queryName("bü cher.example") == "bü cher.example")
        #expect(DomainNameIDNA.queryName("Example.COM") == "Example.COM")
    }

    /// The one-pass length rule (issue 12) against the plain one: 253
    /// bytes without a final dot, labels of at most 63.
    @Test func theLengthRuleIsThePlainOne() {
        func plain(_ name: String) -> Bool {
            var bytes = name.utf8.count
            if name.hasSuffix(".") { bytes -= 1 }
            guard bytes <= 253 else { return false }
            return !name.split(separator: ".").contains { $0.utf8.count > 63 }
        }
        let labels = ["a", "example", String(repeating: "x", count: 63), String(repeating: "y", count: 64), ""]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            var name = (0..<Int.random(in: 1...6, using: &generator)).map { _ in labels.randomElement(using: &generator)! }
                .joined(separator: ".")
            if Bool.random(using: &generator) { name += "." }
            #expect(DomainNameIDNA.lengthIsValid(name) == plain(name), "\(name.utf8.count) \(name.prefix(40))")
        }
        #expect(DomainNameIDNA.toASCII("Mail.EXAMPLE.com") == "mail.example.com")
        #expect(DomainNameIDNA.toASCII("mail.example.com") == "mail.example.com")
    }
}
