
/// A configured list of addresses and CIDR ranges (`trusted_ip_list`,
/// `ignore_local_ip_list`), IPv4 and IPv6 mixed.
///
/// Perl parses each entry with Net::IP on every connection and only logs
/// "Could not parse ..." for a bad one, so a typo silently trusts nobody.
/// Here the list is parsed when the configuration is loaded and a bad entry
/// stops start-up (or a reload) with its file, line and key, as `ip_map`
/// entries do.
import Config

struct IPNetworkList: Sendable {
    let networks: [IPMapNetwork]

    init(networks: [IPMapNetwork] = []) { self.networks = networks }

    /// Reads `key` of a handler block: absent or null is an empty list.
    init(_ config: ConfigNode, key: String) throws(ConfigurationError) {
        guard let node = config.child(key), !node.isNull else {
            self.init()
            return
        }
        _ = try node.stringArrayValue()
        var networks: [IPMapNetwork] = []
        for element in node.elements {
            let text = try element.stringValue()
            guard let network = IPMapNetwork(text) else {
                throw element.error("not an IP address or CIDR range: \(text)")
            }
            networks.append(network)
        }
        self.init(networks: networks)
    }

    /// Whether the address lies in any entry; families never mix.
    func contains(_ address: ClientAddress) -> Bool {
        networks.contains { $0.contains(address.bytes) }
    }
}
