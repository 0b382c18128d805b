/// Domain-name normalisation shared by every DNS component. DNS compares
/// names case-insensitively over ASCII only (RFC 4343), and a trailing dot
/// only says "absolute", so both are folded away before names are used as
/// keys (cache, coalescing, in-memory zones).
public enum DNSName {
    /// Lowercases ASCII letters and drops one trailing dot ("Example.COM."
    /// becomes "example.com"). The root stays ".". Other bytes are kept:
    /// DNS labels may hold any octet.
    public static func normalized(_ name: String) -> String {
        // Most names are asked as they are stored (lowercase, no root
        // dot): those come back without a copy (every cached lookup
        // normalises its name several times; issue 12).
        var name = name
        let clean = name.withUTF8 { utf8 in
            utf8.last != UInt8(ascii: ".") && !utf8.contains { $0 >= 0x41 && $0 <= 0x5a }
        }
        if clean { return name }
        var bytes = Array(name.utf8)
        if bytes.count > 1, bytes.last == UInt8(ascii: ".") {
            // An escaped dot ("a\.") is part of the label, not the root.
            let backslashes = bytes.dropLast().reversed().prefix(while: { $0 == UInt8(ascii: "\\") }).count
            if backslashes % 2 == 0 { bytes.removeLast() }
        }
        var changed = false
        for i in bytes.indices where bytes[i] >= 0x41 && bytes[i] <= 0x5a {
            bytes[i] |= 0x20
            changed = true
        }
        if !changed && bytes.count == name.utf8.count { return name }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether two names denote the same node.
    public static func equal(_ lhs: String, _ rhs: String) -> Bool {
        normalized(lhs) == normalized(rhs)
    }

    /// Whether `name` lies strictly below `ancestor` ("a.b.example" is
    /// below "example"). Both must already be normalized.
    public static func isStrictSubdomain(_ name: String, of ancestor: String) -> Bool {
        if ancestor == "." { return name != "." }
        return name.count > ancestor.count && name.hasSuffix("." + ancestor)
    }

    /// Presentation form of a name in uncompressed wire format (length
    /// byte, label bytes, ..., zero), as found in the rdata of CNAME, PTR,
    /// MX, NS and SOA once a packet library has decompressed it. Dots and
    /// backslashes inside a label, spaces and non-printable bytes are escaped
    /// as in zone files (RFC 1035 section 5.1) so the text maps back to the same
    /// labels. The result has no trailing dot; the root is ".". Returns nil
    /// for malformed input.
    public static func fromWire(_ wire: some Collection<UInt8>) -> String? {
        var out: [UInt8] = []
        var iterator = wire.makeIterator()
        var total = 0
        while true {
            guard let length = iterator.next() else { return nil }
            total += 1
            if length == 0 { break }
            guard length <= 63 else { return nil }
            if !out.isEmpty { out.append(UInt8(ascii: ".")) }
            for _ in 0..<length {
                guard let byte = iterator.next() else { return nil }
                total += 1
                appendEscaped(byte, to: &out)
            }
            guard total <= 255 else { return nil }
        }
        if out.isEmpty { return "." }
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: "\\"):
            out.append(UInt8(ascii: "\\"))
            out.append(byte)
        case 0x21...0x7e:
            out.append(byte)
        default:
            // \DDD: three decimal digits, as zone files write them.
            out.append(UInt8(ascii: "\\"))
            out.append(UInt8(ascii: "0") + byte / 100)
            out.append(UInt8(ascii: "0") + (byte / 10) % 10)
            out.append(UInt8(ascii: "0") + byte % 10)
        }
    }
}
