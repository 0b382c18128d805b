import Config
import IPC
import MailAuth
import Metrics

/// SpamAssassin: scans every message with spamd, as the Perl handler of
/// the authentication_milter_extra distribution does
/// (`Mail::Milter::Authentication::Handler::SpamAssassin`).
///
/// The message is rebuilt from the milter callbacks (each header field
/// `Name: value` + CRLF, an empty line, the body chunks; at most
/// `sa_max_size` bytes) and sent at the end of the message as a spamc
/// `SYMBOLS` request with `User: <default_user>`. A worker opens no
/// socket: the request goes to the scanner process, which alone talks to
/// spamd (`session.spamScanner`; docs/security.md, "SpamAssassin").
///
/// With spamd's verdict, as Perl writes them (prepended, so in this order
/// on top of the message):
///
///     X-Spam-hits: GTUBE,MISSING_DATE,...      (folded at 74 characters)
///     X-Spam-Status: Yes, score=1003.30 required=5.00
///     X-Spam-score: 1003.30
///
/// and the entry `x-spam=fail score=1003.30 required=5.00` (`pass` when
/// spamd says `False`). Spam is quarantined (`Quarantined due to SPAM
/// policy`), and rejected with `550 5.7.0 SPAM policy violation` when its
/// score reaches `hard_reject_at` and the client is neither local nor
/// trusted. Without a verdict (spamd down, slow past `sa_timeout`, a bad
/// reply) the entry is `x-spam=temperror` and the message goes on.
///
/// Incoming `X-Spam-score`, `X-Spam-Status` and `X-Spam-hits` fields
/// (names compared without regard to case) are removed unless the client
/// is trusted or `remove_headers` is `"no"`; unless it is `"silent"`, each
/// is kept as `X-Received-<Name>: (Received <Name> header removed by
/// <host>)` and the old value.
public final class SpamAssassinHandler: ContentScanningHandler {
    public static let name = "SpamAssassin"
    public static let defaultConfigJSON = HandlerHelp.json([
        "default_user": "nobody",
        "sa_host": "localhost",
        "sa_port": "783",
        "hard_reject_at": 10,
        "remove_headers": "yes",
        "sa_timeout": 30,
        "sa_max_size": 512_000,
    ])
    public static let helpText = HandlerHelp.text(module: name, "Check email for spam using SpamAssassin spamd.", configuration: """
                "SpamAssassin" : {                              | Config for the SpamAssassin Module
                    "default_user" : "nobody",                  | The User: spamd loads preferences for
                    "sa_host" : "localhost",                    | Host and port spamd listens on
                    "sa_port" : "783",
                    "hard_reject_at" : "10",                    | Reject spam scoring at least this (not for local
                                                                | or trusted clients); 0 or unset: never reject
                    "remove_headers" : "yes",                   | Incoming X-Spam-score/Status/hits headers:
                                                                | "yes" remove and add a header for each one,
                                                                | "silent" remove silently, "no" keep them
                                                                | (never removed for trusted IP addresses)
                    "sa_socket" : "/run/spamd.sock",            | spamd's unix socket instead of host and port (ours)
                    "sa_timeout" : 30,                          | Seconds for one scan; then x-spam=temperror (ours)
                    "sa_max_size" : 512000                      | Bytes of the message sent to spamd at most (ours)
                },
        """)

    public static var configKeys: Set<String> {
        ["default_user", "sa_host", "sa_port", "hard_reject_at", "remove_headers", "sa_socket", "sa_timeout", "sa_max_size"]
    }

    /// The fields Perl's handler writes and strips from incoming mail, in
    /// its order.
    static let spamHeaders = ["X-Spam-score", "X-Spam-Status", "X-Spam-hits"]
    static let rejectReply = "550 5.7.0 SPAM policy violation"
    static let quarantineReason = "Quarantined due to SPAM policy"

    public let settings: SpamAssassinSettings

    static var verdictFields: [String] { spamHeaders }
    var forgedFieldMode: SanitizeHandler.Mode { settings.removeHeaders }
    var maximumMessageBytes: Int { settings.maximumMessageBytes }

    public init(config: ConfigNode) throws(ConfigurationError) {
        settings = try SpamAssassinSettings(config: config)
    }

    public func endOfMessage(_ session: MailSession) throws {
        let state = scannedMessage(session)
        state.buffer.endHeader()
        session.log(.info, key: "SpamAssassinUser", settings.defaultUser ?? "--")
        if state.buffer.isTruncated {
            session.log(.info, key: Self.name, "message of \(state.buffer.offeredBytes) bytes: spamd is given its first \(state.buffer.bytes.count) (sa_max_size \(settings.maximumMessageBytes))")
        }
        let outcome: SpamdScanOutcome
        if let scanner = session.spamScanner {
            outcome = scanner.scan(message: state.buffer.bytes, user: settings.defaultUser ?? "")
        } else {
            outcome = .failed(.unavailable("no scanner process"))
        }
        switch outcome {
        case .failed(let failure):
            // Perl's words when spamd cannot be reached; the reason after them.
            let words: String
            if case .unreachable = failure { words = "SpamAssassin could not connect to server" } else { words = "SpamAssassin scan failed" }
            session.log(.error, key: "ERROR", "\(words) (spamd \(failure))")
            session.count(.spamAssassin, ["temperror"])
            session.addAuthResult(AuthResultsEntry(method: "x-spam", result: "temperror"))
        case .scanned(let verdict):
            let headers = SpamAssassinHeaders(verdict)
            session.prependHeader(name: "X-Spam-score", value: headers.score)
            session.prependHeader(name: "X-Spam-Status", value: headers.status)
            session.prependHeader(name: "X-Spam-hits", value: headers.hits)
            session.count(.spamAssassin, [headers.result])
            session.addAuthResult(AuthResultsEntry(method: "x-spam", result: headers.result, properties: [
                AuthResultsProperty(type: "", name: "score", value: headers.score),
                AuthResultsProperty(type: "", name: "required", value: headers.required),
            ]))
            if verdict.isSpamForPolicy {
                session.setVerdict(.quarantine(Self.quarantineReason))
                if let limit = settings.hardRejectAt, verdict.score >= limit, !session.isLocalIP, !session.isTrustedIP {
                    session.setVerdict(.reject(Self.rejectReply))
                    session.log(.info, key: "SpamAssassinReject", "Policy reject")
                }
            }
        }
        state.removeForged(session, fields: Self.spamHeaders, mode: settings.removeHeaders)
    }

}

/// The SpamAssassin block, read once: by the handler in each worker and by
/// the master, which starts the scanner process with the address of spamd
/// (`scannerArguments`).
public struct SpamAssassinSettings: Sendable, Equatable {
    /// `default_user`: the `User:` line; none when unset or empty (Perl
    /// sends no `User:` without the key).
    public var defaultUser: String?
    /// `sa_host` (Perl: `|| 'localhost'`) and `sa_port` (`|| 783`).
    public var host: String
    public var port: UInt16
    /// `sa_socket` (ours): spamd's unix socket, used instead of host and port.
    public var socketPath: String?
    /// `hard_reject_at`: nil when unset or 0 (Perl tests it for truth).
    public var hardRejectAt: Double?
    public var removeHeaders: SanitizeHandler.Mode
    /// `sa_timeout` (ours): seconds for one scan, connect to reply.
    public var timeoutSeconds: Double
    /// `sa_max_size` (ours): bytes of the message given to spamd at most.
    public var maximumMessageBytes: Int

    public init(config: ConfigNode) throws(ConfigurationError) {
        if let user = try config.string("default_user"), !user.isEmpty {
            guard user.utf8.count <= SpamdLimits.maximumUserBytes,
                  user.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7f }) else {
                throw (config.child("default_user") ?? config).error("expected a user name without spaces or control characters, at most \(SpamdLimits.maximumUserBytes) bytes")
            }
            defaultUser = user
        }
        host = try config.nonEmptyString("sa_host") ?? "localhost"
        guard host.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7f }), host.utf8.count <= 255 else {
            throw (config.child("sa_host") ?? config).error("expected a host name or an IP address")
        }
        let port = try config.integer("sa_port", in: 0...65535) ?? 0
        self.port = port == 0 ? 783 : UInt16(port)
        if let path = try config.nonEmptyString("sa_socket") {
            guard path.hasPrefix("/"), SpamdAddress.unixSocket(path) != nil else {
                throw (config.child("sa_socket") ?? config).error("expected the absolute path of spamd's unix socket (at most 107 bytes)")
            }
            socketPath = path
        }
        let limit = try config.number("hard_reject_at") ?? 0
        hardRejectAt = limit == 0 ? nil : limit
        removeHeaders = try SanitizeHandler.mode(config.child("remove_headers"))
        timeoutSeconds = try config.number("sa_timeout", in: 0.1...SpamdLimits.maximumTimeoutSeconds) ?? SpamdLimits.defaultTimeoutSeconds
        maximumMessageBytes = try config.integer("sa_max_size", in: 1024...SpamdLimits.maximumMessageBytes) ?? SpamdLimits.defaultMessageBytes
    }

    /// The settings of the configuration's enabled SpamAssassin block, nil
    /// when the handler is not enabled (or its block does not read: the
    /// configuration check refuses that before anything starts).
    public static func enabled(in configuration: Configuration) -> SpamAssassinSettings? {
        guard let entry = configuration.enabledHandlers.first(where: { $0.name == SpamAssassinHandler.name }) else { return nil }
        return try? SpamAssassinSettings(config: entry.node)
    }

    /// The scanner process's command line for these settings (the master
    /// restarts the scanner when it changes).
    public var scannerArguments: [String] {
        var arguments: [String]
        if let socketPath {
            arguments = ["--spamd-socket", socketPath]
        } else {
            arguments = ["--spamd-host", host, "--spamd-port", String(port)]
        }
        arguments += ["--spamd-timeout", String(timeoutSeconds)]
        return arguments
    }
}
