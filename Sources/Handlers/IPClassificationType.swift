
/// The address types of Perl's Net::IP `iptype()`, which the LocalIP handler
/// maps to local or not. The tables are Net::IP 1.26's, looked up the same
/// way (the longest matching prefix wins), so the same address is local in
/// both programs: for instance 255.255.255.255 is BROADCAST (not local)
/// although 240/4 is RESERVED (local), and ::ffff:10.0.0.1 is IPV4MAP
/// (not local) although 10/8 is PRIVATE.
import Config

enum IPAddressType: String, Sendable, CaseIterable {
    case privateUse = "PRIVATE"
    case shared = "SHARED"
    case loopback = "LOOPBACK"
    case linkLocal = "LINK-LOCAL"
    case reserved = "RESERVED"
    case testNet = "TEST-NET"
    case sixToFourRelay = "6TO4-RELAY"
    case multicast = "MULTICAST"
    case broadcast = "BROADCAST"
    case publicUse = "PUBLIC"
    case unspecified = "UNSPECIFIED"
    case ipv4Mapped = "IPV4MAP"
    case discard = "DISCARD"
    case globalUnicast = "GLOBAL-UNICAST"
    case teredo = "TEREDO"
    case benchmarking = "BMWG"
    case documentation = "DOCUMENTATION"
    case orchid = "ORCHID"
    case sixToFour = "6TO4"
    case uniqueLocalUnicast = "UNIQUE-LOCAL-UNICAST"
    case linkLocalUnicast = "LINK-LOCAL-UNICAST"

    /// The LocalIP handler's type map: these count as a local connection.
    var isLocal: Bool {
        switch self {
        case .privateUse, .shared, .loopback, .linkLocal, .reserved, .uniqueLocalUnicast, .linkLocalUnicast:
            return true
        default:
            return false
        }
    }

    /// The type of a 4- or 16-byte address. An IPv4 address in no range is
    /// PUBLIC; every IPv6 address falls in some range.
    init(_ address: [UInt8]) {
        let table = address.count == 4 ? Self.ipv4Ranges : Self.ipv6Ranges
        var bestLength = -1
        var bestType = IPAddressType.publicUse
        for (network, type) in table where network.contains(address) && network.prefixLength > bestLength {
            bestLength = network.prefixLength
            bestType = type
        }
        self = bestType
    }

    static let ipv4Ranges: [(IPMapNetwork, IPAddressType)] = ranges([
        ("0.0.0.0/8", .privateUse),
        ("10.0.0.0/8", .privateUse),
        ("100.64.0.0/10", .shared),
        ("127.0.0.0/8", .loopback),
        ("169.254.0.0/16", .linkLocal),
        ("172.16.0.0/12", .privateUse),
        ("192.0.0.0/24", .reserved),
        ("192.0.2.0/24", .testNet),
        ("192.88.99.0/24", .sixToFourRelay),
        ("192.168.0.0/16", .privateUse),
        ("198.18.0.0/15", .reserved),
        ("198.51.100.0/24", .testNet),
        ("203.0.113.0/24", .testNet),
        ("224.0.0.0/4", .multicast),
        ("240.0.0.0/4", .reserved),
        ("255.255.255.255/32", .broadcast),
    ])

    static let ipv6Ranges: [(IPMapNetwork, IPAddressType)] = ranges([
        ("::/8", .reserved),
        ("::/128", .unspecified),
        ("::1/128", .loopback),
        ("::ffff:0:0/96", .ipv4Mapped),
        ("100::/8", .reserved),
        ("100::/64", .discard),
        ("200::/7", .reserved),
        ("400::/6", .reserved),
        ("800::/5", .reserved),
        ("1000::/4", .reserved),
        ("2000::/3", .globalUnicast),
        ("2001::/32", .teredo),
        ("2001:2::/48", .benchmarking),
        ("2001:db8::/32", .documentation),
        ("2001:10::/28", .orchid),
        ("2002::/16", .sixToFour),
        ("4000::/3", .reserved),
        ("6000::/3", .reserved),
        ("8000::/3", .reserved),
        ("a000::/3", .reserved),
        ("c000::/3", .reserved),
        ("e000::/4", .reserved),
        ("f000::/5", .reserved),
        ("f800::/6", .reserved),
        ("fc00::/7", .uniqueLocalUnicast),
        ("fe00::/9", .reserved),
        ("fe80::/10", .linkLocalUnicast),
        ("fec0::/10", .reserved),
        ("ff00::/8", .multicast),
    ])

    /// Text written here, parsed once; a test checks that none was lost.
    private static func ranges(_ texts: [(String, IPAddressType)]) -> [(IPMapNetwork, IPAddressType)] {
        texts.compactMap { text, type in IPMapNetwork(text).map { ($0, type) } }
    }
}
