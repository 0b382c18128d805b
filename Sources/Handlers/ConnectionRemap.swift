
/// `ip_map` / `helo_map`: evaluate a connection as if it came from another
/// address (and HELO name), as the Perl program's _remap_ip_and_helo does.
/// Entries are tried in key byte order; the first network containing the
/// client address wins; within it a `helo_map` entry for the HELO name
/// received wins over the entry's own target.
import Config

public struct ConnectionRemap: Sendable {
    let entries: [IPMapEntry]

    public init(_ entries: [IPMapEntry]) { self.entries = entries }

    public var isEmpty: Bool { entries.isEmpty }

    /// The target for a client address, and the HELO received when known.
    public func target(forIP ip: String, helo: String?) -> IPMapTarget? {
        guard !entries.isEmpty, let address = IPMapNetwork.parseAddress(ip) else { return nil }
        for entry in entries where entry.network.contains(address) {
            if let helo, !helo.isEmpty, let specific = entry.heloMap[helo] { return specific }
            return entry.target
        }
        return nil
    }
}
