import Config
import MailAuth

/// Logger: writes what the MTA told us to the log, at info, as Perl's
/// `Logger.pm` does through `dbgout('Logger', ...)`:
///
///     <queue id>: Logger: Connection host: mail.example.org   (connect)
///     <queue id>: Logger: Connection IP: 192.0.2.1            (connect)
///     <queue id>: Logger: HELO: mail.example.org              (helo)
///     <queue id>: Logger: MAIL FROM: <a@example.org>          (envfrom)
///     <queue id>: Logger: RCPT TO: <b@example.net>            (envrcpt)
///     <queue id>: Logger: Header: Subject: Hello              (header)
///
/// Each of `connect`, `helo`, `envfrom`, `envrcpt` turns its lines on
/// (default off); `header` lists the header names to log, compared without
/// regard to case (`-h default_config` proposes `from`, `to`,
/// `message-id`; as in Perl, a block without the key logs no header).
/// The queue id is the MTA's `i` macro: lines of the connect and HELO
/// stages wait for it (Postfix sends it with MAIL FROM) and are written
/// with it, as Perl writes them; see `MailSession.log(_:key:_:)`. The
/// address is the one checks use (after `ip_map`), in Net::IP's short
/// form; the HELO name too (after `helo_map`). Nothing is added to the
/// message.
public final class LoggerHandler: Handler {
    public static let name = "Logger"
    public static let defaultConfigJSON = HandlerHelp.json(["connect": 0, "helo": 0, "envfrom": 0, "envrcpt": 0,
                                                            "header": ["from", "to", "message-id"]])
    public static let helpText = HandlerHelp.text(module: name, "Log things", configuration: """
                "Logger" : {                                    |
                  "connect" : 1,                                | Log connection details
                  "helo"    : 1,                                | Log HELO details
                  "envfrom" : 1,                                | Log Mail From details
                  "envrcpt" : 1,                                | Log Mail To details
                  "header" : [                                  | List of headers to log
                    "From",
                    "To",
                    "Message-Id",
                  ]
                }
        """)

    public let logConnect: Bool
    public let logHelo: Bool
    public let logEnvelopeFrom: Bool
    public let logEnvelopeRecipient: Bool
    /// Lowercased header names to log.
    public let headerNames: Set<String>

    public init(config: ConfigNode) throws(ConfigurationError) {
        logConnect = try config.bool("connect") ?? false
        logHelo = try config.bool("helo") ?? false
        logEnvelopeFrom = try config.bool("envfrom") ?? false
        logEnvelopeRecipient = try config.bool("envrcpt") ?? false
        // As Perl's handler_config: the block as written, so a block
        // without `header` (or with null or []) logs no header; the
        // default list is what `-h default_config` proposes.
        headerNames = Set(try config.stringArray("header")?.map { $0.lowercased() } ?? [])
    }

    public func connect(_ session: MailSession) throws {
        guard logConnect else { return }
        session.log(.info, key: Self.name, "Connection host: \(session.remoteHostname)")
        let address = ClientAddress(session.remoteIP)?.perlText ?? session.remoteIP
        session.log(.info, key: Self.name, "Connection IP: \(address)")
    }

    public func helo(_ session: MailSession, host: String) throws {
        guard logHelo else { return }
        session.log(.info, key: Self.name, "HELO: \(session.heloHost.isEmpty ? host : session.heloHost)")
    }

    public func envelopeFrom(_ session: MailSession, address: String) throws {
        guard logEnvelopeFrom else { return }
        session.log(.info, key: Self.name, "MAIL FROM: \(address)")
    }

    public func envelopeRecipient(_ session: MailSession, address: String) throws {
        guard logEnvelopeRecipient else { return }
        session.log(.info, key: Self.name, "RCPT TO: \(address)")
    }

    public func header(_ session: MailSession, name: String, value: String) throws {
        guard !headerNames.isEmpty, headerNames.contains(session.lowercasedHeaderName(name)) else { return }
        session.log(.info, key: Self.name, "Header: \(name): \(PerlHeaderValue.text(value))")
    }
}
