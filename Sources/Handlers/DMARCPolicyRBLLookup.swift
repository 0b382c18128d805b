import Config
import MailAuth

/// One `policy_rbl_lookup` entry of the DMARC handler (Perl's key, added
/// in 2.20210105.2):
///
///     "policy_rbl_lookup" : {
///         "verified" : {                                  // the name: policy.verified=...
///             "rbl" : "verified.rbl.example.com",         // the zone
///             "results" : { "127.0.0.2" : "yes", "*" : "other" }
///         }
///     }
///
/// For a DMARC `pass`, or a `fail` whose ARC-aware result is `pass`, the
/// From domain is looked up as `<from domain>.<rbl>` A (Perl's
/// `rbl_check_domain`: the first A address); the value for that address,
/// else the `*` value, else `pass` (Perl's help: "defaults to 'pass' if no
/// entries and no fallback found") is added to the entry as
/// `policy.<name>=<value>`. Not listed: nothing is added. Entries are
/// looked up in name order.
struct DMARCPolicyRBLLookup: Sendable, Equatable {
    var name: String
    var zone: String
    var results: [String: String]

    /// At most this many lookups are configured (each costs one DNS
    /// question per passing From domain).
    static let maximumEntries = 32

    /// Reads `policy_rbl_lookup`; absent or `{}` gives none. A name or value
    /// that could not be an A-R property, or a missing zone, stops start-up.
    static func list(_ config: ConfigNode, key: String) throws(ConfigurationError) -> [DMARCPolicyRBLLookup] {
        guard let node = config.child(key), !node.isNull else { return [] }
        _ = try node.requireObject()
        var lookups: [DMARCPolicyRBLLookup] = []
        for (name, entry) in node.members {
            guard isToken(name) else { throw entry.error("the name must be letters, digits, '-', '_' or '.': \"\(name)\"") }
            _ = try entry.requireObject()
            guard let zone = try entry.nonEmptyString("rbl"), isToken(zone) else {
                throw (entry.child("rbl") ?? entry).error("expected the DNS zone to look the domain up in")
            }
            var results: [String: String] = [:]
            if let resultsNode = entry.child("results"), !resultsNode.isNull {
                _ = try resultsNode.requireObject()
                for (address, valueNode) in resultsNode.members {
                    let value = try valueNode.stringValue()
                    guard isToken(value) else {
                        throw valueNode.error("the value must be letters, digits, '-', '_' or '.': \"\(value)\"")
                    }
                    results[address] = value
                }
            }
            lookups.append(DMARCPolicyRBLLookup(name: name, zone: zone.lowercased(), results: results))
        }
        guard lookups.count <= maximumEntries else { throw node.error("at most \(maximumEntries) lookups") }
        return lookups.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// An A-R property name or value piece: a token that needs no quoting
    /// and can carry no control character into a header.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 253 && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)
        }
    }

    /// The property for `domain`, or nil when it is not listed.
    func property(for domain: String, resolver: any DNSResolver) -> DMARCPolicyProperty? {
        guard !domain.isEmpty, let address = DNSListAnswer.firstAddress(at: domain + "." + zone, resolver) else { return nil }
        return DMARCPolicyProperty(name: name, value: results[address] ?? results["*"] ?? "pass")
    }
}
