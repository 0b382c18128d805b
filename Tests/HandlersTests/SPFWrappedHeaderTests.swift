@testable import Handlers
import MailAuth
import Testing

/// `Received-SPF` is wrapped as the Perl handler's `wrap_header` does it:
/// three substitutions in turn. The one-pass version (issue 12) must give
/// the same text, which the reference below still makes the plain way.
@Suite struct SPFWrappedHeaderTests {
    static func reference(_ value: String) -> String {
        value.substituting(" ", with: "\n    ", maxReplacements: 1)
            .substituting(") ", with: ")\n    ", maxReplacements: 1)
            .substituting("; ", with: ";\n    ")
    }

    @Test func aFieldIsWrappedAsPerlWrapsIt() {
        let value = "pass (example.com: 192.0.2.1 is authorized to use 'a@example.com' in 'mfrom' identity (mechanism 'ip4:192.0.2.1' matched)) receiver=mx.example.net; identity=mailfrom; envelope-from=\"a@example.com\"; helo=mail.example.com; client-ip=192.0.2.1"
        #expect(SPFHandler.wrapped(value) == Self.reference(value))
        #expect(SPFHandler.wrapped(value).hasPrefix("pass\n    (example.com:"))
    }

    @Test func randomTextsAgree() {
        let alphabet: [Character] = ["a", " ", ")", "(", ";", "é", "\n"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let text = String((0..<Int.random(in: 0...10, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            #expect(SPFHandler.wrapped(text) == Self.reference(text), "\(text.debugDescription)")
        }
    }
}
