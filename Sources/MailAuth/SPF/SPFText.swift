/// Turning the raw bytes of DNS text into what SPF messages show. TXT data
/// is bytes, not UTF-8; a record with a stray `0x96` must still be quoted
/// in a `Received-SPF` comment without breaking the header. Mail::SPF's
/// `sanitize_string` writes control and non-ASCII bytes as `\xNN`; so does
/// this.
enum SPFText {
    /// Printable ASCII kept, every other byte as `\xNN` (lowercase hex).
    static func sanitized(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for byte in bytes {
            if byte < 0x20 || byte >= 0x7f {
                out.append(UInt8(ascii: "\\"))
                out.append(UInt8(ascii: "x"))
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0xf))
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A string's UTF-8 bytes, sanitized the same way.
    static func sanitized(_ text: String) -> String {
        sanitized(text.utf8)
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// ASCII-only bytes as a String (the parser has already refused the
    /// rest, so this never loses anything).
    static func ascii(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    static func isAlpha(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= 0x30 && byte <= 0x39
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte
    }
}
