#if canImport(Glibc)
import Glibc
#endif

/// An address or CIDR range from an `ip_map` key (`"10.0.0.0/8"`,
/// `"dead:beef::/32"`, `"1.2.3.4"`). Parsed at load time so a typo stops
/// start-up instead of being logged on every connection, as Perl does.
public struct IPMapNetwork: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6.
    public let address: [UInt8]
    public let prefixLength: Int

    public init?(_ text: String) {
        var addressText = Substring(text)
        var prefix: Int?
        if let slash = text.firstIndex(of: "/") {
            addressText = text[..<slash]
            let digits = text[text.index(after: slash)...]
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(digits) else {
                return nil
            }
            prefix = value
        }
        guard let bytes = IPMapNetwork.parseAddress(String(addressText)) else { return nil }
        let maximum = bytes.count * 8
        let length = prefix ?? maximum
        guard length <= maximum else { return nil }
        address = bytes
        prefixLength = length
    }

    /// Parses a single IPv4 or IPv6 address into its bytes.
    public static func parseAddress(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// Whether `address` (4 or 16 bytes) lies in this network. Families
    /// never mix, as with Perl's Net::IP overlap test.
    public func contains(_ other: [UInt8]) -> Bool {
        guard other.count == address.count else { return false }
        var remaining = prefixLength
        for i in 0..<address.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address[i] & mask != other[i] & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String {
        let text: String
        if address.count == 4 {
            text = address.map(String.init).joined(separator: ".")
        } else {
            var v6 = in6_addr()
            withUnsafeMutableBytes(of: &v6) { raw in
                for (i, byte) in address.enumerated() { raw[i] = byte }
            }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count))
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            text = String(decoding: bytes, as: UTF8.self)
        }
        return prefixLength == address.count * 8 ? text : "\(text)/\(prefixLength)"
    }
}
