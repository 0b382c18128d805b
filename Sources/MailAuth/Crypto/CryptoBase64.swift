/// Base64 (RFC 4648 section 4) for DKIM's `b=`, `bh=` and `p=` values.
/// Plain Swift: this is encoding, not cryptography, and DKIM needs its own
/// leniency (folding whitespace may appear anywhere in the text, RFC 6376
/// section 2.4).
public enum CryptoBase64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 6-bit value of each alphabet byte; 0xFF for everything else.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Standard padded base64 without line breaks.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            out.append(alphabet[Int(group >> 18 & 63)])
            out.append(alphabet[Int(group >> 12 & 63)])
            out.append(second == nil ? UInt8(ascii: "=") : alphabet[Int(group >> 6 & 63)])
            out.append(third == nil ? UInt8(ascii: "=") : alphabet[Int(group & 63)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base64 text, skipping space, tab, CR and LF anywhere (DKIM
    /// folds long values). Padding is optional, but once it starts only
    /// more padding may follow, and a lone trailing sextet (which cannot
    /// hold a whole byte) is refused. Returns nil for any other byte.
    public static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        var accumulator: UInt32 = 0
        var sextets = 0
        var padding = 0
        for byte in text {
            switch byte {
            case 0x20, 0x09, 0x0D, 0x0A:
                continue
            case UInt8(ascii: "="):
                padding += 1
                if padding > 2 { return nil }
                continue
            default:
                break
            }
            let value = values[Int(byte)]
            if value == 0xFF || padding > 0 { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            sextets += 1
            if sextets == 4 {
                out.append(UInt8(accumulator >> 16 & 0xFF))
                out.append(UInt8(accumulator >> 8 & 0xFF))
                out.append(UInt8(accumulator & 0xFF))
                accumulator = 0
                sextets = 0
            }
        }
        switch sextets {
        case 0:
            return padding == 0 ? out : nil
        case 2:
            out.append(UInt8(accumulator >> 4 & 0xFF))
        case 3:
            out.append(UInt8(accumulator >> 10 & 0xFF))
            out.append(UInt8(accumulator >> 2 & 0xFF))
        default:
            return nil
        }
        // Padding, when present, must complete the last quantum exactly.
        if padding != 0 && padding != 4 - sextets { return nil }
        return out
    }
}
