import Config
import MailAuth

/// One `whitelisted` entry of the DMARC handler (Perl's `is_whitelisted`):
/// an address or CIDR range of the client, `dkim:<domain>` (a passing
/// signature by that domain), `spf:<domain>` (an SPF pass for that
/// domain), or `dnswl:<spf|dkim|ip>:<zone>` (the SPF domain, each passing
/// DKIM domain, or the client address, listed in a DNS zone: an A record
/// at `<name>.<zone>`).
enum DMARCWhitelistEntry: Sendable, Equatable {
    case network(IPMapNetwork)
    case dkimDomain(String)
    case spfDomain(String)
    case dnsListSPF(String)
    case dnsListDKIM(String)
    case dnsListIP(String)

    /// Reads `whitelisted`; an entry that is none of the forms stops
    /// start-up with its position (Perl logs and trusts nobody).
    static func list(_ config: ConfigNode, key: String) throws(ConfigurationError) -> [DMARCWhitelistEntry] {
        guard let node = config.child(key), !node.isNull else { return [] }
        _ = try node.stringArrayValue()
        var entries: [DMARCWhitelistEntry] = []
        for element in node.elements {
            let text = try element.stringValue()
            guard let entry = DMARCWhitelistEntry(text) else {
                throw element.error("not an IP address, CIDR range, dkim:<domain>, spf:<domain> or dnswl:<spf|dkim|ip>:<zone>: \(text)")
            }
            entries.append(entry)
        }
        return entries
    }

    init?(_ text: String) {
        if text.hasPrefix("dnswl:") {
            let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[2].isEmpty else { return nil }
            let zone = String(parts[2])
            switch parts[1] {
            case "spf": self = .dnsListSPF(zone)
            case "dkim": self = .dnsListDKIM(zone)
            case "ip": self = .dnsListIP(zone)
            default: return nil
            }
        } else if text.hasPrefix("dkim:") {
            let domain = text.dropFirst(5)
            guard !domain.isEmpty else { return nil }
            self = .dkimDomain(domain.lowercased())
        } else if text.hasPrefix("spf:") {
            let domain = text.dropFirst(4)
            guard !domain.isEmpty else { return nil }
            self = .spfDomain(domain.lowercased())
        } else if let network = IPMapNetwork(text) {
            self = .network(network)
        } else {
            return nil
        }
    }

    /// What the entries are checked against.
    struct Facts {
        var clientAddress: String
        /// The SPF handler's domain when its result was a pass.
        var spfPassDomain: String?
        /// Lowercase `d=` of the passing DKIM signatures.
        var dkimPassDomains: [String]
        var resolver: any DNSResolver
    }

    func matches(_ facts: Facts) -> Bool {
        switch self {
        case .network(let network):
            guard let address = ClientAddress(facts.clientAddress) else { return false }
            return network.contains(address.bytes)
        case .dkimDomain(let domain):
            return facts.dkimPassDomains.contains(domain)
        case .spfDomain(let domain):
            return facts.spfPassDomain?.lowercased() == domain
        case .dnsListSPF(let zone):
            guard let domain = facts.spfPassDomain, !domain.isEmpty else { return false }
            return Self.listed(domain.lowercased() + "." + zone, facts.resolver)
        case .dnsListDKIM(let zone):
            return facts.dkimPassDomains.contains { Self.listed($0 + "." + zone, facts.resolver) }
        case .dnsListIP(let zone):
            guard let address = ClientAddress(facts.clientAddress) else { return false }
            return Self.listed(Self.reversed(address.bytes) + "." + zone, facts.resolver)
        }
    }

    /// The address as a DNS list name: IPv4 octets or IPv6 nibbles, reversed.
    static func reversed(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.reversed().map { String($0) }.joined(separator: ".") }
        let digits = Array("0123456789abcdef")
        var nibbles: [String] = []
        for byte in bytes.reversed() {
            nibbles.append(String(digits[Int(byte & 0x0f)]))
            nibbles.append(String(digits[Int(byte >> 4)]))
        }
        return nibbles.joined(separator: ".")
    }

    private static func listed(_ name: String, _ resolver: any DNSResolver) -> Bool {
        guard case .answer(let records, _) = resolver.lookup(name: name, type: .a) else { return false }
        return records.contains { if case .a = $0 { return true } else { return false } }
    }
}
