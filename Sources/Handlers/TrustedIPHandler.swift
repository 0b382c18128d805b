import Config
import MailAuth
import Metrics

/// TrustedIP: a client inside one of `trusted_ip_list`'s addresses or CIDR
/// ranges (IPv4 and IPv6) is trusted. Writes the connection-level entry
/// `x-trusted-ip=pass` and sets `isTrustedIP`, which IPRev, PTR, Sanitize
/// (no removal for trusted relays) and `tempfail_on_error_trusted` read.
/// Nothing is written for other clients.
public final class TrustedIPHandler: Handler {
    public static let name = "TrustedIP"
    public static let defaultConfigJSON = """
        {
           "trusted_ip_list" : []
        }
        """
    public static let helpText = """
        TrustedIP Module

        Detect a trusted IP address and act accordingly.

        CONFIGURATION
                "TrustedIP" : {                                 | Config the the TruetedIP Module
                                                                | Check for TrustedIP Addresses
                    "trusted_ip_list" : [                       | List of IP Addresses considered to be trusted
                        "100.200.100.2",                        | CIDR Ranges are valid syntax
                        "2001:44c2:3881:aa00::/56",
                        "2001:44b8:3021:123:dead:beef:abcd:1234"
                    ]
                },
        """

    let trusted: IPNetworkList

    public init(config: ConfigNode) throws(ConfigurationError) {
        trusted = try IPNetworkList(config, key: "trusted_ip_list")
    }

    public func connect(_ session: MailSession) throws {
        session.isTrustedIP = ClientAddress(session.remoteIP).map(trusted.contains) ?? false
        if session.isTrustedIP {
            session.count(.trustedIPConnect)
            session.addConnectionAuthResult(AuthResultsEntry(method: "x-trusted-ip", result: "pass"))
        }
    }

    public func close(_ session: MailSession) {
        session.isTrustedIP = false
    }
}
