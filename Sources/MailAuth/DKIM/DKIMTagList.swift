/// A DKIM tag-value list (RFC 6376 section 3.2), as used by the
/// DKIM-Signature field and by key records, parsed from raw bytes so that
/// every tag's position in the original is known: verification hashes the
/// signature field with the `b=` value cut out of the exact original.
///
/// Parsing is lenient where Mail::DKIM is lenient (empty segments between
/// semicolons are skipped) and strict where RFC 6376 is: a segment without
/// `=`, an invalid tag name or a repeated tag makes the whole list invalid.
struct DKIMTagList: Sendable {
    struct Tag: Sendable {
        /// Tag names are case-sensitive (RFC 6376 section 3.2).
        var name: String
        /// The value without the whitespace around it; inner folding
        /// whitespace is kept (callers strip it where the grammar allows).
        var value: [UInt8]
        /// From just after `=` to just before the `;` or the end: what
        /// "the value of the b= tag (including all surrounding whitespace)"
        /// means in RFC 6376 section 3.7.
        var rawValueRange: Range<Int>
    }

    enum ParseError: Error, Sendable, Equatable {
        /// Mail::DKIM's "syntax error": a segment with no `=`, or a tag
        /// name that is not ALPHA *(ALPHA / DIGIT / "_").
        case syntax
        case duplicate(String)
    }

    private(set) var tags: [Tag] = []

    subscript(name: String) -> Tag? {
        tags.first { $0.name == name }
    }

    /// The value of a tag as text (invalid UTF-8 replaced), or nil if the
    /// tag is absent.
    func text(_ name: String) -> String? {
        self[name].map { String(decoding: $0.value, as: UTF8.self) }
    }

    static func parse(_ bytes: [UInt8]) -> Result<DKIMTagList, ParseError> {
        var list = DKIMTagList()
        // Duplicates: a linear look through the few tags a real signature
        // has (no set to allocate and hash per header; issue 12), a set
        // once there are many, so a hostile list stays linear.
        var seen: Set<String>?
        var segmentStart = 0
        var index = 0
        let count = bytes.count
        while index <= count {
            if index < count && bytes[index] != UInt8(ascii: ";") {
                index += 1
                continue
            }
            let segment = segmentStart..<index
            segmentStart = index + 1
            index += 1
            guard let tag = parseSegment(bytes, segment) else {
                if isBlank(bytes, segment) { continue }
                return .failure(.syntax)
            }
            if seen == nil && list.tags.count >= linearDuplicateCheckLimit {
                seen = Set(list.tags.map(\.name))
            }
            if seen != nil {
                guard seen!.insert(tag.name).inserted else { return .failure(.duplicate(tag.name)) }
            } else if list.tags.contains(where: { $0.name == tag.name }) {
                return .failure(.duplicate(tag.name))
            }
            list.tags.append(tag)
        }
        return .success(list)
    }

    /// Up to this many tags, duplicates are found by looking through them.
    static let linearDuplicateCheckLimit = 16

    private static func parseSegment(_ bytes: [UInt8], _ segment: Range<Int>) -> Tag? {
        guard let equals = bytes[segment].firstIndex(of: UInt8(ascii: "=")) else { return nil }
        let nameBytes = trimmed(bytes, segment.lowerBound..<equals)
        guard let first = nameBytes.first, isAlpha(first),
              nameBytes.allSatisfy({ isAlpha($0) || isDigit($0) || $0 == UInt8(ascii: "_") }) else { return nil }
        let rawValue = (equals + 1)..<segment.upperBound
        return Tag(name: String(decoding: nameBytes, as: UTF8.self),
                   value: Array(trimmed(bytes, rawValue)),
                   rawValueRange: rawValue)
    }

    /// Folding whitespace: space, tab, CR, LF.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    private static func isAlpha(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= 0x30 && byte <= 0x39
    }

    private static func isBlank(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        bytes[range].allSatisfy(isWhitespace)
    }

    private static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> ArraySlice<UInt8> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper && isWhitespace(bytes[lower]) { lower += 1 }
        while upper > lower && isWhitespace(bytes[upper - 1]) { upper -= 1 }
        return bytes[lower..<upper]
    }

    /// `value` without any folding whitespace (for base64 values such as
    /// `b=`, `bh=`, `p=`).
    static func removingWhitespace(_ value: [UInt8]) -> [UInt8] {
        value.filter { !isWhitespace($0) }
    }
}
