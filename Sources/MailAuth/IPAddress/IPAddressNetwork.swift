/// An address prefix (`192.0.2.0/24`, `2001:db8::/32`): the unit of SPF's
/// `ip4`/`ip6` mechanisms and dual-cidr lengths, and of address lists.
/// Host bits in the given address are kept (SPF writes them and Mail::SPF
/// prints them back) and ignored when matching.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    /// nil when the length is out of range for the family.
    public init?(address: IPAddress, prefixLength: Int) {
        guard prefixLength >= 0, prefixLength <= address.bitWidth else { return nil }
        self.address = address
        self.prefixLength = prefixLength
    }

    /// `address` or `address/length`; the length must be plain decimal
    /// without a leading zero ("/032" is refused, as RFC 7208's ABNF
    /// refuses leading zeros in the address itself).
    public init?(_ text: some StringProtocol) {
        let string = Substring(text)
        guard let slash = string.firstIndex(of: "/") else {
            guard let address = IPAddress(string) else { return nil }
            self.init(address: address, prefixLength: address.bitWidth)
            return
        }
        guard let address = IPAddress(string[..<slash]),
              let length = IPNetwork.prefixLength(string[string.index(after: slash)...]) else { return nil }
        self.init(address: address, prefixLength: length)
    }

    /// Decimal digits, no sign, no leading zero unless the value is 0;
    /// at most 3 digits (no prefix is longer than 128).
    public static func prefixLength(_ text: some StringProtocol) -> Int? {
        prefixLength(bytes: text.utf8)
    }

    /// The same from ASCII bytes.
    public static func prefixLength(bytes: some Collection<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 3 else { return nil }
        if bytes.count > 1 && bytes.first == UInt8(ascii: "0") { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Whether `candidate` lies in this network. Families must agree: an
    /// IPv4 network never contains an IPv6 address (callers unmap IPv4-mapped
    /// clients first, as RFC 7208 section 5 asks).
    public func contains(_ candidate: IPAddress) -> Bool {
        address.shares(prefixLength: prefixLength, with: candidate)
    }

    public var description: String { "\(address)/\(prefixLength)" }
}

extension IPAddress {
    /// Whether the first `prefixLength` bits of both addresses agree (same
    /// family only). Lengths beyond the width are clamped.
    public func shares(prefixLength: Int, with other: IPAddress) -> Bool {
        guard family == other.family else { return false }
        switch family {
        case .v4:
            let bits = max(0, min(32, prefixLength))
            guard bits > 0 else { return true }
            let mask: UInt32 = bits == 32 ? .max : ~(UInt32.max >> UInt32(bits))
            return v4Value & mask == other.v4Value & mask
        case .v6:
            let bits = max(0, min(128, prefixLength))
            let highBits = min(bits, 64), lowBits = bits - highBits
            let highMask: UInt64 = highBits == 0 ? 0 : (highBits == 64 ? .max : ~(UInt64.max >> UInt64(highBits)))
            let lowMask: UInt64 = lowBits == 0 ? 0 : (lowBits == 64 ? .max : ~(UInt64.max >> UInt64(lowBits)))
            return high & highMask == other.high & highMask && low & lowMask == other.low & lowMask
        }
    }
}
