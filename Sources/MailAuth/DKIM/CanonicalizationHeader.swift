/// Header field canonicalization (RFC 6376 sections 3.4.1 and 3.4.2).
public enum CanonicalizationHeader {
    /// The bytes a header field contributes to the hash, ending in CRLF.
    /// - simple: the field unchanged.
    /// - relaxed: name lowercased; value unfolded, every run of spaces and
    ///   tabs made one space, whitespace at its ends and around the colon
    ///   removed.
    public static func canonicalize(_ field: MessageHeaderField, _ algorithm: Canonicalization) -> [UInt8] {
        var out: [UInt8] = []
        append(field, algorithm, to: &out)
        out.append(contentsOf: [0x0D, 0x0A])
        return out
    }

    /// Appends the canonical field without its final CRLF (the form the
    /// DKIM-Signature field itself is hashed in, RFC 6376 section 3.7).
    public static func append(_ field: MessageHeaderField, _ algorithm: Canonicalization, to out: inout [UInt8]) {
        switch algorithm {
        case .simple:
            out.append(contentsOf: field.name)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: field.value)
        case .relaxed:
            out.append(contentsOf: field.lowercasedName)
            out.append(UInt8(ascii: ":"))
            appendRelaxedValue(field.value, to: &out)
        }
    }

    private static func appendRelaxedValue(_ value: [UInt8], to out: inout [UInt8]) {
        var pendingSpace = false
        var wroteAny = false
        var index = 0
        let count = value.count
        while index < count {
            let byte = value[index]
            // Unfolding removes CRLF; the whitespace after it stays and is
            // compressed like any other.
            if byte == 0x0D, index + 1 < count, value[index + 1] == 0x0A {
                index += 2
                continue
            }
            if byte == 0x20 || byte == 0x09 {
                pendingSpace = true
            } else {
                if pendingSpace && wroteAny { out.append(0x20) }
                pendingSpace = false
                out.append(byte)
                wroteAny = true
            }
            index += 1
        }
    }
}
