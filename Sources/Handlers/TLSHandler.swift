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
/// In `"protocol": "smtp"` mode there are no macros: the facts come from
/// the message's first header when it is a Received field written by the
/// MTA in front, `(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384
/// (256/256 bits))` as Postfix writes it with `smtpd_tls_received_header`
/// (`TLSReceivedFacts`). This is the path Perl's handler has for SMTP mode;
/// its newest release returns before it and writes nothing.
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

    public func header(_ session: MailSession, name: String, value: String) throws {
        guard session.servesSMTP else { return }
        let state = session.messageState(of: self, TLSMessageState.self)
        guard !state.firstHeaderRead else { return }
        state.firstHeaderRead = true
        guard name.lowercased() == "received", let facts = TLSReceivedFacts(receivedValue: value) else { return }
        var properties = [AuthResultsProperty(type: "smtp", name: "version", value: facts.version)]
        properties.append(AuthResultsProperty(type: "smtp", name: "cipher", value: facts.cipher))
        properties.append(AuthResultsProperty(type: "smtp", name: "bits", value: facts.bits))
        session.addAuthResult(AuthResultsEntry(method: "x-tls", result: "pass", properties: properties))
    }
}

/// Whether the TLS handler has looked at the message's first header.
final class TLSMessageState: HandlerState {
    var firstHeaderRead = false
    init() {}
}

/// The TLS facts of a Received field value, as Postfix writes them:
/// `(using <version> with cipher <cipher> (<bits>/<bits> bits))`.
public struct TLSReceivedFacts: Sendable, Equatable {
    public var version: String
    public var cipher: String
    public var bits: String

    public init(version: String, cipher: String, bits: String) {
        self.version = version
        self.cipher = cipher
        self.bits = bits
    }

    public init?(receivedValue value: String) {
        // isWhitespace: "\r\n" is one Character, equal to neither "\r" nor "\n".
        let words = value.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let using = words.firstIndex(where: { $0 == "(using" || $0 == "using" }), using + 5 < words.count,
              words[using + 2] == "with", words[using + 3] == "cipher" else { return nil }
        let bitsWord = words[using + 5]
        guard bitsWord.hasPrefix("("), let slash = bitsWord.firstIndex(of: "/") else { return nil }
        let bits = String(bitsWord[bitsWord.index(after: bitsWord.startIndex)..<slash])
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.+".contains($0)) }
        guard !words[using + 1].isEmpty, words[using + 1].allSatisfy(allowed), words[using + 4].allSatisfy(allowed),
              !bits.isEmpty, bits.allSatisfy(\.isNumber) else { return nil }
        version = words[using + 1]
        cipher = words[using + 4]
        self.bits = bits
    }
}
