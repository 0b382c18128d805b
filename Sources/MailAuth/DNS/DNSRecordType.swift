/// The record types the authentication checks look up. Raw values are the
/// IANA RR type codes, so they go on the wire (and over IPC) unchanged.
public enum DNSRecordType: UInt16, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case a = 1
    case ns = 2
    case cname = 5
    case soa = 6
    case ptr = 12
    case mx = 15
    case txt = 16
    case aaaa = 28
    /// Type 99, obsolete (RFC 7208 section 3.1) but still asked for by the
    /// SPF conformance suite and by some older checkers.
    case spf = 99

    /// The mnemonic used in zone files and logs ("A", "TXT", ...).
    public var description: String {
        switch self {
        case .a: return "A"
        case .ns: return "NS"
        case .cname: return "CNAME"
        case .soa: return "SOA"
        case .ptr: return "PTR"
        case .mx: return "MX"
        case .txt: return "TXT"
        case .aaaa: return "AAAA"
        case .spf: return "SPF"
        }
    }

    /// Parses a mnemonic, case-insensitively (zone data in test suites
    /// writes "A", "Txt", ...).
    public init?(mnemonic: String) {
        let upper = mnemonic.uppercased()
        guard let found = DNSRecordType.allCases.first(where: { $0.description == upper }) else { return nil }
        self = found
    }
}
