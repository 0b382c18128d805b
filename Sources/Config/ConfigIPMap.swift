/// One `ip_map` entry: connections from `network` are evaluated as if they
/// came from `target.ip` with HELO `target.helo`; a `helo_map` entry for the
/// HELO name actually received takes precedence.
///
/// Entries are kept in the byte order of their keys because the Perl milter
/// walks `sort keys %ip_map` and the first match wins.
import JSON

public struct IPMapEntry: Sendable, Equatable {
    /// The key as written.
    public var key: String
    public var network: IPMapNetwork
    public var target: IPMapTarget
    /// Keyed by the HELO name received (exact, case-sensitive, as in Perl).
    public var heloMap: [String: IPMapTarget]

    public init(key: String, network: IPMapNetwork, target: IPMapTarget, heloMap: [String: IPMapTarget] = [:]) {
        self.key = key
        self.network = network
        self.target = target
        self.heloMap = heloMap
    }

    static func decodeAll(_ node: ConfigNode, warnings: inout [String]) throws(ConfigurationError) -> [IPMapEntry] {
        _ = try node.requireObject()
        var entries: [IPMapEntry] = []
        for (key, member) in node.members {
            guard let network = IPMapNetwork(key) else {
                throw member.error("not an IP address or CIDR range")
            }
            _ = try member.requireObject()
            warnings += member.unknownKeyWarnings(known: ["ip", "helo", "helo_map"])
            let target = try IPMapTarget.decode(member)
            var heloMap: [String: IPMapTarget] = [:]
            if let heloNode = try member.object("helo_map") {
                for (helo, heloMember) in heloNode.members {
                    _ = try heloMember.requireObject()
                    warnings += heloMember.unknownKeyWarnings(known: ["ip", "helo"])
                    heloMap[helo] = try IPMapTarget.decode(heloMember)
                }
            }
            entries.append(IPMapEntry(key: key, network: network, target: target, heloMap: heloMap))
        }
        return entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    func jsonValue() -> JSONValue {
        var object = target.jsonObject()
        if !heloMap.isEmpty {
            var map = JSONObject()
            for helo in heloMap.keys.sorted() { map[helo] = .object(heloMap[helo]!.jsonObject()) }
            object["helo_map"] = .object(map)
        }
        return .object(object)
    }
}

/// What an `ip_map` match rewrites the connection to.
public struct IPMapTarget: Sendable, Equatable {
    /// An IP address, validated at load time.
    public var ip: String
    /// Replacement HELO name; nil leaves none (as Perl's undef does).
    public var helo: String?

    public init(ip: String, helo: String? = nil) {
        self.ip = ip
        self.helo = helo
    }

    static func decode(_ node: ConfigNode) throws(ConfigurationError) -> IPMapTarget {
        guard let ipNode = node.child("ip"), !ipNode.isNull else { throw node.error("missing \"ip\"") }
        let ip = try ipNode.stringValue()
        guard IPMapNetwork.parseAddress(ip) != nil else {
            throw ipNode.error("not an IP address: \(JSONSerializer.quoted(ip))")
        }
        return IPMapTarget(ip: ip, helo: try node.string("helo"))
    }

    func jsonObject() -> JSONObject {
        var object = JSONObject()
        object["ip"] = .string(ip)
        if let helo { object["helo"] = .string(helo) }
        return object
    }
}
