import Config
import MailAuth
import Metrics

/// Auth: mail from an SMTP-authenticated client. At MAIL FROM, when the
/// MTA's `{auth_authen}` macro holds a login name, the connection counts as
/// authenticated from then on (`isAuthenticated`, read by PTR and by
/// `tempfail_on_error_authenticated`), every result gathered so far on the
/// connection and the message is dropped (as Perl does: iprev, ptr and the
/// like say nothing useful about a submission), and the message gets
/// `auth=pass`. The Perl handler writes no property (no `smtp.auth=`), so
/// neither does this one: the login name stays out of the header.
public final class AuthHandler: Handler {
    public static let name = "Auth"
    public static let defaultConfigJSON = "{}"
    public static let helpText = """
        Auth Module

        Module which identifies email that was sent via an authenticated connection.

        CONFIGURATION
        No configuration options exist for this handler.
        """

    public init(config: ConfigNode) throws(ConfigurationError) {}

    public func connect(_ session: MailSession) throws {
        session.isAuthenticated = false
    }

    public func envelopeFrom(_ session: MailSession, address: String) throws {
        guard session.perlTrueMacro("auth_authen") != nil else { return }
        session.clearAuthResults()
        session.isAuthenticated = true
        session.count(.authenticatedConnect)
        session.addAuthResult(AuthResultsEntry(method: "auth", result: "pass"))
    }

    public func close(_ session: MailSession) {
        session.isAuthenticated = false
    }
}
