extension IPAddress {
    /// Whether the fetch helper may connect here without
    /// `https_allow_private_addresses`: a global unicast address. A BIMI
    /// record's URI is chosen by whoever sends the mail, so without this a
    /// sender could make the milter probe the local network (loopback,
    /// RFC 1918, link-local, CGNAT, documentation, multicast, reserved,
    /// unique-local, the IPv4 ranges inside IPv6).
    public var isPublicUnicast: Bool {
        if isIPv4Mapped { return unmapped.isPublicUnicast }
        let blocked = isIPv4 ? Self.blockedIPv4 : Self.blockedIPv6
        return !blocked.contains { $0.contains(self) }
    }

    static let blockedIPv4: [IPNetwork] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    ].compactMap { IPNetwork($0) }

    static let blockedIPv6: [IPNetwork] = [
        "::/127", "::/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16",
        "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ].compactMap { IPNetwork($0) }
}
