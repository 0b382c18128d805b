/// Just enough DER (X.690) to read the certificate extensions BIMI looks
/// at (extended key usage, subject alternative names, the RFC 3709
/// logotype): tag, definite length (at most four length bytes), content.
/// Certificates come from anybody's web server: every length is checked
/// against what is left, nothing recurses deeper than the caller asks.
public struct BIMIDER: Sendable, Equatable {
    public var tag: UInt8
    public var content: ArraySlice<UInt8>

    /// The elements one after another in `bytes` (a SEQUENCE's content);
    /// nil when one is malformed or runs past the end.
    public static func elements(_ bytes: ArraySlice<UInt8>) -> [BIMIDER]? {
        var result: [BIMIDER] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let tag = bytes[index]
            guard tag & 0x1F != 0x1F else { return nil }  // multi-byte tags: not in these structures
            index += 1
            guard index < bytes.endIndex else { return nil }
            var length = Int(bytes[index])
            index += 1
            if length & 0x80 != 0 {
                let count = length & 0x7F
                guard count >= 1, count <= 4, bytes.endIndex - index >= count else { return nil }
                length = 0
                for _ in 0..<count {
                    length = length << 8 | Int(bytes[index])
                    index += 1
                }
            }
            guard length <= bytes.endIndex - index else { return nil }
            result.append(BIMIDER(tag: tag, content: bytes[index..<index + length]))
            index += length
        }
        return result
    }

    /// The single element `bytes` holds.
    public static func single(_ bytes: ArraySlice<UInt8>) -> BIMIDER? {
        guard let list = elements(bytes), list.count == 1 else { return nil }
        return list[0]
    }

    /// The content's elements (for a constructed element).
    public var children: [BIMIDER]? { Self.elements(content) }

    /// An OBJECT IDENTIFIER's content in dotted form.
    public var objectIdentifier: String? {
        guard tag == 0x06, !content.isEmpty, content.count <= 64 else { return nil }
        var arcs: [UInt64] = []
        var value: UInt64 = 0
        for byte in content {
            guard value < 1 << 56 else { return nil }
            value = value << 7 | UInt64(byte & 0x7F)
            if byte & 0x80 == 0 {
                arcs.append(value)
                value = 0
            }
        }
        guard content.last! & 0x80 == 0, let first = arcs.first else { return nil }
        let head = first < 80 ? [first / 40, first % 40] : [2, first - 80]
        return (head + arcs.dropFirst()).map(String.init).joined(separator: ".")
    }
}
