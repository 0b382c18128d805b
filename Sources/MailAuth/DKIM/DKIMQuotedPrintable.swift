/// DKIM-Quoted-Printable (RFC 6376 section 2.11), which `i=` and `z=` use
/// for bytes outside the printable range. Decoding only: we read `i=` and
/// write our own `i=` in plain ASCII.
enum DKIMQuotedPrintable {
    /// Turns every `=XX` (two hex digits) into its byte, removes folding
    /// whitespace, and leaves anything else as it is (Mail::DKIM's leniency:
    /// a stray `=` is kept rather than failing the signature).
    static func decode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if DKIMTagList.isWhitespace(byte) {
                index += 1
                continue
            }
            if byte == UInt8(ascii: "="), index + 2 < bytes.count,
               let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
                continue
            }
            out.append(byte)
            index += 1
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
