/// The address of one upstream resolver, as given to `--resolver` (the
/// configuration's `dns_resolvers`) or found in /etc/resolv.conf:
///
///     192.0.2.53            port 53
///     192.0.2.53:5353
///     2001:db8::53          port 53 (a bare IPv6 address has no port)
///     [2001:db8::53]:5353
///     [fe80::1%eth0]:53     link-local with its zone
///
/// Only literal addresses: resolving a resolver's host name would need a
/// resolver.
public struct DNSServerAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6), network order.
    public var address: [UInt8]
    public var port: UInt16
    /// IPv6 zone (interface name or number) of a link-local address.
    public var zone: String?

    public var isIPv6: Bool { address.count == 16 }

    public init(address: [UInt8], port: UInt16 = 53, zone: String? = nil) {
        self.address = address
        self.port = port
        self.zone = zone
    }

    public init?(_ text: String, defaultPort: UInt16 = 53) {
        let trimmed = Self.trimmed(text)
        guard !trimmed.isEmpty else { return nil }
        var host = Substring(trimmed)
        var port = defaultPort
        var bracketed = false
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]") else { return nil }
            host = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            let rest = trimmed[trimmed.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let parsed = Self.port(rest.dropFirst()) else { return nil }
                port = parsed
            }
            bracketed = true
        } else if trimmed.filter({ $0 == ":" }).count == 1 {
            // One colon: IPv4 with a port (IPv6 has at least two).
            let colon = trimmed.firstIndex(of: ":")!
            guard let parsed = Self.port(trimmed[trimmed.index(after: colon)...]) else { return nil }
            host = trimmed[..<colon]
            port = parsed
        }
        var zone: String? = nil
        if let percent = host.firstIndex(of: "%") {
            zone = String(host[host.index(after: percent)...])
            host = host[..<percent]
            guard let z = zone, !z.isEmpty else { return nil }
        }
        if let v4 = DNSAddressText.parseIPv4(String(host)), zone == nil, !bracketed {
            self.init(address: v4, port: port)
        } else if let v6 = DNSAddressText.parseIPv6(String(host)) {
            self.init(address: v6, port: port, zone: zone)
        } else {
            return nil
        }
    }

    /// Without leading and trailing blanks (no Foundation here).
    private static func trimmed(_ text: String) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = text.firstIndex(where: { !isBlank($0) }) else { return "" }
        let last = text.lastIndex(where: { !isBlank($0) })!
        return String(text[first...last])
    }

    private static func port(_ text: Substring) -> UInt16? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }),
              let value = UInt16(text), value > 0 else { return nil }
        return value
    }

    public var description: String {
        if isIPv6 {
            let zoneText = zone.map { "%" + $0 } ?? ""
            return "[\(DNSAddressText.formatIPv6(address))\(zoneText)]:\(port)"
        }
        return "\(DNSAddressText.formatIPv4(address)):\(port)"
    }
}
