/// What ARC reads more strictly than the DKIM verifier (which is lenient
/// where Mail::DKIM is): the tag-list grammar of RFC 6376 section 3.2,
/// `tag-spec *( ";" tag-spec ) [ ";" ]`, has no empty tag-spec, so `;;`
/// is a syntax error; and the numeric tags are digits only (`1*12DIGIT`),
/// without the folding whitespace `DKIMCheckedSignature` tolerates
/// inside them. The ARC test suite (ValiMail) fails both (`*_format_tags_sc`,
/// `as_format_tags_wsp`).
enum ARCTagSyntax {
    /// Tags whose value must be digits only: `i=` and `t=`, and for the
    /// ARC-Message-Signature `x=` and `l=` too (an ARC-Seal has neither;
    /// there they are unknown tags, ignored).
    static func numericTags(_ kind: ARCHeaderKind) -> [String] {
        kind == .seal ? ["i", "t"] : ["i", "t", "x", "l"]
    }

    /// Why a signature field's value is not a strict tag list, or nil.
    /// Run before the DKIM checks, which catch everything else (missing
    /// `=`, bad tag names, duplicates).
    static func problem(_ value: [UInt8], tags: DKIMTagList, kind: ARCHeaderKind) -> DKIMVerdict? {
        var segmentHasContent = false
        var emptySegment = false
        for byte in value {
            if byte == UInt8(ascii: ";") {
                if !segmentHasContent { emptySegment = true }
                segmentHasContent = false
            } else if !DKIMTagList.isWhitespace(byte) {
                segmentHasContent = true
            }
        }
        // A blank last segment is the optional trailing ";".
        if emptySegment { return .syntaxError }
        for name in numericTags(kind) {
            guard let tag = tags[name] else { continue }
            guard !tag.value.isEmpty, tag.value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                return .invalidTag(name)
            }
        }
        return nil
    }
}
