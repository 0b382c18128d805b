@testable import MailAuth

/// `v=spf1` records: the parser, then the parsed record written back out
/// (mechanisms as they describe themselves, then the modifiers) must parse
/// to the same record.
enum SPFRecordTarget {
    static let target = FuzzTarget(name: "spf-record", run: run)

    static func run(_ input: [UInt8]) {
        _ = SPFRecord.isVersion1(input)
        guard let record = try? SPFRecord(parsing: input) else { return }
        var terms = ["v=spf1"]
        terms += record.mechanisms.map(\.description)
        if let redirect = record.redirect { terms.append("redirect=\(redirect)") }
        if let explanation = record.explanation { terms.append("exp=\(explanation)") }
        terms += record.otherModifiers.map { "\($0.name)=\($0.value)" }
        let text = terms.joined(separator: " ")
        do {
            let again = try SPFRecord(text)
            fuzzCheck(again == record, "\(text) parses differently from the original")
        } catch {
            fuzzCheck(false, "written back as \(text), it no longer parses: \(error)")
        }
    }
}
