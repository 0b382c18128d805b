@testable import MailAuth

/// DKIM-Signature and ARC header values as tag lists: the parser, the
/// signature's fields (domain, selector, identity with quoted-printable)
/// and ARC's tag rules. A parsed list has distinct, valid tag names whose
/// raw value ranges lie inside the input.
enum DKIMTagListTarget {
    static let target = FuzzTarget(name: "dkim-tags", run: run)

    static func run(_ input: [UInt8]) {
        if case .success(let list) = DKIMTagList.parse(input) {
            var names: Set<String> = []
            for tag in list.tags {
                fuzzCheck(names.insert(tag.name).inserted, "duplicate tag \(tag.name) accepted")
                fuzzCheck(tag.rawValueRange.lowerBound >= 0 && tag.rawValueRange.upperBound <= input.count,
                          "raw range \(tag.rawValueRange) outside the input")
                fuzzCheck(list.text(tag.name) != nil, "tag \(tag.name) not found by name")
            }
            for kind in [ARCHeaderKind.seal, .messageSignature] {
                _ = ARCTagSyntax.problem(input, tags: list, kind: kind)
            }
            _ = ARCInstance.fromTags(list)
        }
        let header = DKIMSignatureHeader(field: MessageHeaderField(name: Array("DKIM-Signature".utf8), value: input))
        _ = header.domain
        _ = header.selector
        _ = header.algorithmText
        _ = header.identity
        _ = header.signatureText
        _ = DKIMQuotedPrintable.decode(input)
    }
}
