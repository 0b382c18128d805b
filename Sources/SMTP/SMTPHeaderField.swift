/// One header field of a relayed message. `raw` is the field as it came
/// (continuation lines joined by CRLF, no final CRLF), so a field we do not
/// touch goes out byte for byte and DKIM signatures over it still verify.
/// `name` and `value` are what the handlers see, as Postfix hands a field
/// to a milter: the name before the colon, the value after it with one
/// leading space dropped. A line without a colon is a field of that name
/// with an empty value, as the Perl milter's SMTP mode reads it.
public struct SMTPHeaderField: Sendable, Equatable {
    public var raw: [UInt8]

    public init(raw: [UInt8]) {
        self.raw = raw
    }

    /// A field we write: CR or LF alone in `value` become CRLF, so every
    /// line of the message ends as SMTP wants.
    public init(name: String, value: String) {
        var bytes = Array(name.utf8)
        bytes.append(contentsOf: Array(": ".utf8))
        var previous: UInt8 = 0
        for byte in value.utf8 {
            if byte == 0x0A && previous != 0x0D { bytes.append(0x0D) }
            if previous == 0x0D && byte != 0x0A { bytes.append(0x0A) }
            bytes.append(byte)
            previous = byte
        }
        if previous == 0x0D { bytes.append(0x0A) }
        raw = bytes
    }

    public var nameBytes: ArraySlice<UInt8> {
        guard let colon = raw.firstIndex(of: 0x3A) else { return raw[...] }
        return raw[..<colon]
    }

    public var valueBytes: ArraySlice<UInt8> {
        guard let colon = raw.firstIndex(of: 0x3A) else { return [] }
        var start = colon + 1
        if start < raw.count && raw[start] == 0x20 { start += 1 }
        return raw[start...]
    }

    public var name: String { String(decoding: nameBytes, as: UTF8.self) }
    public var value: String { String(decoding: valueBytes, as: UTF8.self) }

    public func hasName(_ other: String) -> Bool {
        nameBytes.elementsEqual(other.utf8, by: { asciiLower($0) == asciiLower($1) })
    }
}

@inline(__always) func asciiLower(_ byte: UInt8) -> UInt8 {
    (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
}
