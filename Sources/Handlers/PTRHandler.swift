import Config
import MailAuth
import Metrics

/// PTR: does the HELO name match a name IPRev verified for the client? At
/// HELO (the first one of the connection), for clients that are neither
/// local, trusted nor authenticated, one connection-level entry:
///
///     x-ptr=pass smtp.helo=mail.example.com policy.ptr=mail.example.com
///     x-ptr=fail smtp.helo=laptop policy.ptr=""
///
/// `policy.ptr` is what IPRev verified (names joined by ","), compared
/// without regard to case. Needs IPRev: without it Perl logs a
/// configuration error and writes nothing, and so does this handler.
/// The HELO name is the one checks use (after `helo_map`).
public final class PTRHandler: Handler {
    public static let name = "PTR"
    public static let defaultConfigJSON = "{}"
    public static let helpText = """
        PTR Module

        Check DNS PTR Records match.

        This handler requires the IPRev handler to be installed and active.

        CONFIGURATION
        No configuration options exist for this handler.
        """
    /// IPRev's verified names must exist before the HELO check reads them.
    public static var dependencies: [any Handler.Type] { [IPRevHandler.self] }

    public init(config: ConfigNode) throws(ConfigurationError) {}

    public func helo(_ session: MailSession, host: String) throws {
        guard !session.isLocalIP, !session.isTrustedIP, !session.isAuthenticated else { return }
        guard let verified = session.verifiedPTR else { return }
        let helo = session.heloHost.isEmpty ? host : session.heloHost
        // Compared in A-labels (PTR names are; RFC 8616).
        let wanted = DomainNameIDNA.queryName(helo.lowercased())
        let matched = verified.split(separator: ",").contains { $0.lowercased() == wanted }
        session.count(.ptr, [matched ? "pass" : "fail"])
        session.addConnectionAuthResult(AuthResultsEntry(method: "x-ptr", result: matched ? "pass" : "fail", properties: [
            AuthResultsProperty(type: "smtp", name: "helo", value: helo),
            AuthResultsProperty(type: "policy", name: "ptr", value: verified),
        ]))
    }
}
