/// Text forms of the addresses in A and AAAA records, without Foundation or
/// libc (MailAuth stays pure). Parsing is strict: zone data and command
/// lines are ours, and a sloppy parser would accept "1.2.3" as something.
public enum DNSAddressText {
    /// Dotted quad to 4 bytes. Leading zeros are refused ("010.0.0.1" is
    /// octal to some parsers and decimal to others).
    public static func parseIPv4(_ text: String) -> [UInt8]? {
        parseIPv4(Substring(text))
    }

    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(4)
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            if part.count > 1 && part.first == "0" { return nil }
            guard let value = UInt16(part), value <= 255 else { return nil }
            out.append(UInt8(value))
        }
        return out
    }

    /// RFC 4291 text (with "::" and an optional trailing dotted quad) to
    /// 16 bytes. Zone indices ("%eth0") are not part of an address here.
    public static func parseIPv6(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count <= 45 else { return nil }
        let bytes = Array(text.utf8)
        // Split once at "::"; a second "::" is invalid.
        var gapAt: Int? = nil
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == UInt8(ascii: ":") && bytes[i + 1] == UInt8(ascii: ":") {
                guard gapAt == nil else { return nil }
                gapAt = i
                i += 2
                continue
            }
            i += 1
        }
        let headText: Substring
        let tailText: Substring?
        if let gap = gapAt {
            let gapIndex = text.utf8.index(text.startIndex, offsetBy: gap)
            headText = text[..<gapIndex]
            tailText = text[text.utf8.index(gapIndex, offsetBy: 2)...]
        } else {
            headText = Substring(text)
            tailText = nil
        }
        guard let head = groups(headText, mayEndWithQuad: tailText == nil) else { return nil }
        let tail = tailText.flatMap { groups($0, mayEndWithQuad: true) } ?? (tailText == nil ? [] : nil)
        guard let tail else { return nil }
        let total = head.count + tail.count
        if gapAt != nil {
            guard total <= 7 else { return nil }
        } else {
            guard total == 8 else { return nil }
        }
        let all = head + [UInt16](repeating: 0, count: 8 - total) + tail
        var out: [UInt8] = []
        out.reserveCapacity(16)
        for group in all {
            out.append(UInt8(group >> 8))
            out.append(UInt8(group & 0xff))
        }
        return out
    }

    /// Colon-separated hex groups (possibly none); the last may be a dotted
    /// quad, which counts as two groups.
    private static func groups(_ text: Substring, mayEndWithQuad: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
        var out: [UInt16] = []
        for (n, piece) in pieces.enumerated() {
            if n == pieces.count - 1, mayEndWithQuad, piece.contains(".") {
                guard let quad = parseIPv4(piece) else { return nil }
                out.append(UInt16(quad[0]) << 8 | UInt16(quad[1]))
                out.append(UInt16(quad[2]) << 8 | UInt16(quad[3]))
                continue
            }
            guard !piece.isEmpty, piece.count <= 4, piece.allSatisfy({ $0.isASCII && $0.isHexDigit }),
                  let value = UInt16(piece, radix: 16) else { return nil }
            out.append(value)
        }
        return out
    }

    public static func formatIPv4(_ bytes: [UInt8]) -> String {
        bytes.map { String($0) }.joined(separator: ".")
    }

    /// RFC 5952 canonical form: lowercase hex, no leading zeros, the
    /// longest run (first on a tie) of two or more zero groups as "::",
    /// and IPv4-mapped addresses as "::ffff:192.0.2.1" (section 5).
    public static func formatIPv6(_ bytes: [UInt8]) -> String {
        guard bytes.count == 16 else { return bytes.map { String($0, radix: 16) }.joined(separator: ":") }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            return "::ffff:" + formatIPv4(Array(bytes[12..<16]))
        }
        var groups: [UInt16] = []
        for i in stride(from: 0, to: 16, by: 2) { groups.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])) }
        var bestStart = -1, bestLength = 0
        var runStart = -1
        for i in 0...8 {
            if i < 8 && groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                let length = i - runStart
                if length > bestLength && length >= 2 { bestStart = runStart; bestLength = length }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
