/// The text forms of an address the checks write: the usual one for
/// headers and logs, and the dotted forms SPF macros and reverse (PTR)
/// lookups need (RFC 7208 section 7.3, RFC 1035 section 3.5, RFC 3596
/// section 2.5).
extension IPAddress: CustomStringConvertible {
    /// IPv4 dotted quad; IPv6 in RFC 5952 form (`::ffff:192.0.2.1` for a
    /// mapped address, as that RFC's section 5 asks).
    public var description: String {
        switch family {
        case .v4: return DNSAddressText.formatIPv4(bytes)
        case .v6: return DNSAddressText.formatIPv6(bytes)
        }
    }

    /// The SPF `i` macro value: IPv4 dotted quad; IPv6 as 32 lowercase
    /// nibbles separated by dots, most significant first
    /// (`2.0.0.1.0.d.b.8.…`).
    public var dottedForm: String {
        switch family {
        case .v4:
            return DNSAddressText.formatIPv4(bytes)
        case .v6:
            return nibbles.map { String($0) }.joined(separator: ".")
        }
    }

    /// The name a PTR lookup asks: `4.3.2.1.in-addr.arpa` or the reversed
    /// nibbles under `ip6.arpa`. An IPv4-mapped address is reversed as IPv6
    /// here; callers that want the IPv4 name use `unmapped` first.
    public var reverseDomainName: String {
        switch family {
        case .v4:
            return bytes.reversed().map { String($0) }.joined(separator: ".") + ".in-addr.arpa"
        case .v6:
            return nibbles.reversed().map { String($0) }.joined(separator: ".") + ".ip6.arpa"
        }
    }

    /// The 32 hex digits of an IPv6 address, lowercase, most significant
    /// first.
    private var nibbles: [Character] {
        let digits: [Character] = Array("0123456789abcdef")
        var out: [Character] = []
        out.reserveCapacity(32)
        for shift in stride(from: 60, through: 0, by: -4) { out.append(digits[Int(high >> UInt64(shift) & 0xf)]) }
        for shift in stride(from: 60, through: 0, by: -4) { out.append(digits[Int(low >> UInt64(shift) & 0xf)]) }
        return out
    }
}
