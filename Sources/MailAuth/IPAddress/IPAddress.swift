/// An IPv4 or IPv6 address as the checks compare it: 128 bits in two
/// words, so a CIDR test is two masked compares and no allocation (SPF
/// evaluates `ip4:`/`ip6:` ranges by the dozen per message).
///
/// An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) stays IPv6 here, as
/// given; RFC 7208 section 5 wants it treated as IPv4, which is what
/// `unmapped` gives. Parsing is strict (see `DNSAddressText`): no leading
/// zeros in a dotted quad, no zone index.
public struct IPAddress: Hashable, Sendable {
    public enum Family: Hashable, Sendable {
        case v4, v6
    }

    public let family: Family
    /// Bits 127...64. Zero for IPv4.
    public let high: UInt64
    /// Bits 63...0. An IPv4 address sits in the low 32 bits.
    public let low: UInt64

    /// An IPv4 address from its 32 bits (network order as a number).
    public init(v4 value: UInt32) {
        family = .v4
        high = 0
        low = UInt64(value)
    }

    /// An IPv6 address from its two 64-bit halves.
    public init(v6 high: UInt64, _ low: UInt64) {
        family = .v6
        self.high = high
        self.low = low
    }

    /// 4 bytes (IPv4) or 16 bytes (IPv6), network order; nil otherwise.
    public init?(bytes: some Collection<UInt8>) {
        switch bytes.count {
        case 4:
            var value: UInt32 = 0
            for byte in bytes { value = value << 8 | UInt32(byte) }
            self.init(v4: value)
        case 16:
            var hi: UInt64 = 0, lo: UInt64 = 0
            for (n, byte) in bytes.enumerated() {
                if n < 8 { hi = hi << 8 | UInt64(byte) } else { lo = lo << 8 | UInt64(byte) }
            }
            self.init(v6: hi, lo)
        default:
            return nil
        }
    }

    /// A dotted quad or RFC 4291 text (with "::" and a trailing dotted
    /// quad), else nil.
    public init?(_ text: some StringProtocol) {
        if let v4 = IPAddress.parseIPv4(text.utf8) {
            self.init(v4: v4)
        } else if text.contains(":"), let v6 = DNSAddressText.parseIPv6(String(text)) {
            self.init(bytes: v6)
        } else {
            return nil
        }
    }

    /// A dotted quad straight from bytes (SPF parses one per `ip4:` term
    /// of every record it reads, so this path avoids building strings).
    /// The rules of `DNSAddressText.parseIPv4`: four decimal parts, each
    /// 0...255, no leading zeros.
    static func parseIPv4(_ bytes: some Collection<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var part: UInt32 = 0
        var digits = 0
        var parts = 0
        var leadingZero = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | part
                parts += 1
                part = 0
                digits = 0
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                if digits == 1 && leadingZero { return nil }
                if digits == 0 { leadingZero = byte == UInt8(ascii: "0") }
                digits += 1
                part = part * 10 + UInt32(byte - UInt8(ascii: "0"))
                guard digits <= 3, part <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | part
    }

    /// The client address as an MTA reports it: tolerates Sendmail's
    /// `IPv6:` prefix, brackets and a zone index (`fe80::1%eth0`), which are
    /// decoration, not address.
    public init?(clientAddress text: String) {
        var rest = Substring(text)
        while let first = rest.first, first == " " || first == "\t" { rest = rest.dropFirst() }
        while let last = rest.last, last == " " || last == "\t" { rest = rest.dropLast() }
        if rest.hasPrefix("[") && rest.hasSuffix("]") { rest = rest.dropFirst().dropLast() }
        if rest.count > 5, rest.prefix(5).lowercased() == "ipv6:" { rest = rest.dropFirst(5) }
        if let percent = rest.firstIndex(of: "%") { rest = rest[..<percent] }
        self.init(rest)
    }

    public var isIPv4: Bool { family == .v4 }
    public var isIPv6: Bool { family == .v6 }

    /// `::ffff:a.b.c.d` (RFC 4291 section 2.5.5.2).
    public var isIPv4Mapped: Bool {
        family == .v6 && high == 0 && low >> 32 == 0xffff
    }

    /// The IPv4 address inside an IPv4-mapped address, else the address
    /// itself: what SPF, IPRev and the IP lists compare.
    public var unmapped: IPAddress {
        isIPv4Mapped ? IPAddress(v4: UInt32(truncatingIfNeeded: low)) : self
    }

    /// The 32 bits of an IPv4 address (the low word's low half otherwise).
    public var v4Value: UInt32 { UInt32(truncatingIfNeeded: low) }

    /// 4 or 16 bytes, network order.
    public var bytes: [UInt8] {
        switch family {
        case .v4:
            let v = v4Value
            return [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
        case .v6:
            var out: [UInt8] = []
            out.reserveCapacity(16)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(high >> UInt64(shift) & 0xff)) }
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(low >> UInt64(shift) & 0xff)) }
            return out
        }
    }

    /// The address width in bits: 32 or 128.
    public var bitWidth: Int { family == .v4 ? 32 : 128 }
}
