/// One header field exactly as it appears in the message, as bytes: the
/// name (without the colon) and the raw value (everything after the colon:
/// leading whitespace, folding line breaks as CRLF, any byte at all, but
/// not the CRLF that ends the field).
///
/// Bytes, not `String`: DKIM's simple canonicalization hashes the field as
/// it was sent, and mail carries headers in every charset and none, so a
/// round trip through Unicode would change what is hashed.
public struct MessageHeaderField: Sendable, Hashable {
    /// The field name as written, possibly with whitespace before the
    /// colon (obsolete syntax, RFC 5322 section 4.5).
    public var name: [UInt8]
    /// The raw value after the colon, folding included (CRLF + WSP).
    public var value: [UInt8]

    public init(name: [UInt8], value: [UInt8]) {
        self.name = name
        self.value = value
    }

    /// A field from text (tests, and fields we generate ourselves).
    public init(name: String, value: String) {
        self.init(name: Array(name.utf8), value: Array(value.utf8))
    }

    /// `name:value`, the field as it stood in the message without its
    /// final CRLF.
    public var raw: [UInt8] {
        name + [UInt8(ascii: ":")] + value
    }

    /// The name without whitespace before the colon, ASCII-lowercased: the
    /// key for case-insensitive comparisons (RFC 5322 field names are
    /// printable ASCII; other bytes are kept as they are).
    public var lowercasedName: [UInt8] {
        var bytes = Array(name)
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        for index in bytes.indices where bytes[index] >= 0x41 && bytes[index] <= 0x5A {
            bytes[index] |= 0x20
        }
        return bytes
    }

    /// Whether the field is called `name`, ignoring ASCII case.
    public func hasName(_ name: String) -> Bool {
        lowercasedName == MessageHeaderField.lowercased(Array(name.utf8))
    }

    /// The value unfolded (RFC 5322 section 2.2.3: every CRLF that is
    /// followed by whitespace removed), other bytes untouched.
    public var unfoldedValue: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var index = value.startIndex
        while index < value.endIndex {
            let byte = value[index]
            if byte == 0x0D, index + 1 < value.endIndex, value[index + 1] == 0x0A {
                index += 2
                continue
            }
            if byte == 0x0A {
                index += 1
                continue
            }
            out.append(byte)
            index += 1
        }
        return out
    }

    /// The unfolded value without surrounding whitespace, as text (invalid
    /// UTF-8 replaced): what a human or a log wants to see.
    public var valueText: String {
        let unfolded = unfoldedValue
        var start = unfolded.startIndex
        var end = unfolded.endIndex
        while start < end, unfolded[start] == 0x20 || unfolded[start] == 0x09 { start += 1 }
        while end > start, unfolded[end - 1] == 0x20 || unfolded[end - 1] == 0x09 { end -= 1 }
        return String(decoding: unfolded[start..<end], as: UTF8.self)
    }

    /// The name as text (invalid UTF-8 replaced).
    public var nameText: String {
        String(decoding: name, as: UTF8.self)
    }

    static func lowercased(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }
}
