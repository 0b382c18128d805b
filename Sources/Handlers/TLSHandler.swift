import Config
import MailAuth

/// TLS: the client talked to the MTA over TLS. At each MAIL FROM, when the
/// MTA's `{tls_version}` macro is set, the message gets
/// `x-tls=pass smtp.version=TLSv1.3 smtp.cipher=TLS_AES_256_GCM_SHA384 smtp.bits=256`
/// (cipher and bits only when their macros `{cipher}` and `{cipher_bits}`
/// are set). A message-level entry, as in Perl: it is written again for
/// every message. `{cert_issuer}` only feeds the Perl handler's log and
/// metrics, so it is not read. Nothing is written for plain-text sessions.
///
/// In `"protocol": "smtp"` mode Perl reads the first Received header
/// instead; that mode is refused at start for now, so that path is not here.
public final class TLSHandler: Handler {
    public static let name = "TLS"
    public static let defaultConfigJSON = "{}"
    public static let helpText = """
        TLS Module

        Identify TLS protected connections.

        CONFIGURATION
        No configuration options exist for this handler.
        """

    public init(config: ConfigNode) throws(ConfigurationError) {}

    public func envelopeFrom(_ session: MailSession, address: String) throws {
        guard let version = session.perlTrueMacro("tls_version") else { return }
        var properties = [AuthResultsProperty(type: "smtp", name: "version", value: version)]
        if let cipher = session.perlTrueMacro("cipher") {
            properties.append(AuthResultsProperty(type: "smtp", name: "cipher", value: cipher))
        }
        if let bits = session.perlTrueMacro("cipher_bits") {
            properties.append(AuthResultsProperty(type: "smtp", name: "bits", value: bits))
        }
        session.addAuthResult(AuthResultsEntry(method: "x-tls", result: "pass", properties: properties))
    }
}
