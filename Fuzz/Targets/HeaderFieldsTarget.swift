@testable import MailAuth

/// A whole message split into header fields (the one-call verifiers and
/// tools do this), then every field through what the milter does with one:
/// names, unfolding, both DKIM canonicalizations, the milter form.
enum HeaderFieldsTarget {
    static let target = FuzzTarget(name: "header-fields", run: run)

    static func run(_ input: [UInt8]) {
        let (fields, bodyStart) = MessageHeaderSplitter.split(input)
        fuzzCheck(bodyStart >= 0 && bodyStart <= input.count, "body start \(bodyStart) outside 0...\(input.count)")
        for field in fields {
            let name = field.lowercasedName
            fuzzCheck(name.count <= field.name.count, "lowercased name grew")
            let unfolded = field.unfoldedValue
            fuzzCheck(unfolded.count <= field.value.count, "unfolding grew the value")
            let simple = CanonicalizationHeader.canonicalize(field, .simple)
            let relaxed = CanonicalizationHeader.canonicalize(field, .relaxed)
            fuzzCheck(simple.suffix(2) == [0x0D, 0x0A] && relaxed.suffix(2) == [0x0D, 0x0A], "canonical form without CRLF")
            let milter = MessageHeaderField.milter(name: field.name, value: field.value)
            fuzzCheck(milter.value.first == 0x20, "milter value without its leading space")
            _ = field.valueText
            _ = field.hasName("From")
        }
    }
}
