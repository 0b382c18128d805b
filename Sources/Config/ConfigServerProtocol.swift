/// `protocol`: how the MTA talks to us. The Perl milter dies on any other
/// value; so does our loader.
public enum ServerProtocol: String, Sendable, CaseIterable {
    /// Sendmail milter protocol (Postfix `smtpd_milters`).
    case milter
    /// We speak SMTP in front of an upstream MTA and relay each message on.
    case smtp
}
