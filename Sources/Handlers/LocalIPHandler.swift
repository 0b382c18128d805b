import Config
import MailAuth
import Metrics

/// LocalIP: a client on a private, shared (CGNAT), loopback, link-local,
/// reserved or unique-local address is local. Writes the connection-level
/// entry `x-local-ip=pass` (kept for every message of the connection) and
/// sets `isLocalIP`, which IPRev, PTR and `tempfail_on_error_local` read.
/// Nothing is written for other clients. Address types are Net::IP's (see
/// IPAddressType); `ignore_local_ip_list` entries are never local.
public final class LocalIPHandler: Handler {
    public static let name = "LocalIP"
    public static let defaultConfigJSON = """
        {
           "ignore_local_ip_list" : []
        }
        """
    public static let helpText = """
        LocalIP Module

        Detect a Local IP address and act accordingly.

        CONFIGURATION
                "LocalIP" : {                                   | Config the LocalIP Module
                                                                | Check for LocalIP Addresses
                    "ignore_local_ip_list" : [                  | List of IP Addresses to treat as non-local
                        "127.0.0.1",                            | CIDR Ranges are valid syntax
                        "10.0.0.0/24",                          | This is useful, for test environments where non-local IPs aren't available
                        "fe80::/10"
                    ]
                },
        """

    let ignored: IPNetworkList

    public init(config: ConfigNode) throws(ConfigurationError) {
        ignored = try IPNetworkList(config, key: "ignore_local_ip_list")
    }

    public func connect(_ session: MailSession) throws {
        session.isLocalIP = Self.isLocal(session.remoteIP, ignoring: ignored)
        if session.isLocalIP {
            session.count(.localIPConnect)
            session.addConnectionAuthResult(AuthResultsEntry(method: "x-local-ip", result: "pass"))
        }
    }

    public func close(_ session: MailSession) {
        session.isLocalIP = false
    }

    /// An address that does not parse (a Unix-socket client, garbage) is
    /// not local.
    static func isLocal(_ text: String, ignoring ignored: IPNetworkList) -> Bool {
        guard let address = ClientAddress(text), !ignored.contains(address) else { return false }
        return IPAddressType(address.bytes).isLocal
    }
}
