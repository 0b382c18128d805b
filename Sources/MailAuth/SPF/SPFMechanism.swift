/// One mechanism of a record (RFC 7208 section 5): what it matches, and
/// with which qualifier. Prefix lengths are stored as they take effect
/// (32 and 128 when none is written).
public struct SPFMechanism: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        case all
        case include(SPFMacroString)
        case a(SPFMacroString?, ip4Prefix: Int, ip6Prefix: Int)
        case mx(SPFMacroString?, ip4Prefix: Int, ip6Prefix: Int)
        case ptr(SPFMacroString?)
        case ip4(IPNetwork)
        case ip6(IPNetwork)
        case exists(SPFMacroString)
    }

    public var qualifier: SPFQualifier
    public var kind: Kind

    public init(qualifier: SPFQualifier = .pass, kind: Kind) {
        self.qualifier = qualifier
        self.kind = kind
    }

    public var name: String {
        switch kind {
        case .all: return "all"
        case .include: return "include"
        case .a: return "a"
        case .mx: return "mx"
        case .ptr: return "ptr"
        case .ip4: return "ip4"
        case .ip6: return "ip6"
        case .exists: return "exists"
        }
    }

    /// The mechanism as Mail::SPF prints it in "Mechanism '…' matched":
    /// the qualifier unless `+`, the name, the domain-spec as written, and
    /// prefix lengths only where they differ from the default. IPv6
    /// networks are printed in upper case, as NetAddr::IP's `short` does.
    public var description: String {
        var out = qualifier == .pass ? "" : String(qualifier.rawValue)
        out += name
        switch kind {
        case .all:
            break
        case .include(let spec), .exists(let spec):
            out += ":" + spec.text
        case .a(let spec, let v4, let v6), .mx(let spec, let v4, let v6):
            if let spec { out += ":" + spec.text }
            if v4 != 32 { out += "/\(v4)" }
            if v6 != 128 { out += "//\(v6)" }
        case .ptr(let spec):
            if let spec { out += ":" + spec.text }
        case .ip4(let network):
            out += ":" + network.address.description
            if network.prefixLength != 32 { out += "/\(network.prefixLength)" }
        case .ip6(let network):
            out += ":" + network.address.description.uppercased()
            if network.prefixLength != 128 { out += "/\(network.prefixLength)" }
        }
        return out
    }
}
