import MailAuth
import Metrics
import Config
import IPC

/// RSpamD: scans every message with rspamd, as the Perl handler of the
/// authentication_milter_extra distribution does
/// (`Mail::Milter::Authentication::Handler::RSpamD`).
///
/// The message is rebuilt from the milter callbacks as SpamAssassin's is
/// (at most `rs_max_size` bytes) and posted at the end of the message to
/// rspamd's `/checkv2` with Perl's header fields (`Deliver-To:
/// <default_user>`, `IP`, `Helo`, `From`, `Queue-Id`, `Rcpt`, `Pass: all`,
/// `User: <SMTP AUTH name or unauthorized>`). A worker opens no socket: the
/// request goes to the scanner process (`session.rspamdScanner`).
///
/// With rspamd's verdict, as Perl writes them (prepended, so in this order
/// on top of the message):
///
///     X-Spam-Action: reject
///     X-Spam-Status: Yes, score=15.00 required=15.00
///     X-Spam-score: 15.00
///
/// and the entry `x-rspam=fail score=15.00 required=15.00` (`pass` and
/// `No, ` when the action is `no action`). Spam is quarantined
/// (`Quarantined due to SPAM policy`); the action `reject` from a client
/// neither local nor trusted is rejected with `550 5.7.0 SPAM policy
/// violation` when `hard_reject` is set. Without a verdict the entry is
/// `x-rspam=temperror` and the message goes on.
///
/// Incoming `X-Spam-score`, `X-Spam-Status` and `X-Spam-Action` fields are
/// removed (and noted) as SpamAssassin removes its three.
public final class RSpamDHandler: ContentScanningHandler {
    public static let name = "RSpamD"
    public static let defaultConfigJSON = HandlerHelp.json([
        "default_user": "nobody",
        "rs_host": "localhost",
        "rs_port": "11333",
        "hard_reject": 1,
        "remove_headers": "yes",
        "rs_timeout": 30,
        "rs_max_size": 512_000,
    ])
    public static let helpText = HandlerHelp.text(module: name, "Check email for spam using rspamd.", configuration: """
                "RSpamD" : {                                    | Config for the RSpamD Module
                    "default_user" : "nobody",                  | The Deliver-To: rspamd is told
                    "rs_host" : "localhost",                    | Host and port of rspamd's normal worker
                    "rs_port" : "11333",
                    "hard_reject" : "1",                        | Reject mail rspamd's action says to reject
                                                                | (not for local or trusted clients)
                    "remove_headers" : "yes",                   | Incoming X-Spam-score/Status/Action headers:
                                                                | "yes" remove and add a header for each one,
                                                                | "silent" remove silently, "no" keep them
                                                                | (never removed for trusted IP addresses)
                    "rs_timeout" : 30,                          | Seconds for one scan; then x-rspam=temperror (ours)
                    "rs_max_size" : 512000                      | Bytes of the message sent to rspamd at most (ours)
                },
        """)

    public static var configKeys: Set<String> {
        ["default_user", "rs_host", "rs_port", "hard_reject", "remove_headers", "rs_timeout", "rs_max_size"]
    }

    /// The fields Perl's handler writes and strips from incoming mail, in
    /// its order.
    static let spamHeaders = ["X-Spam-score", "X-Spam-Status", "X-Spam-Action"]

    public let settings: RSpamDSettings

    static var verdictFields: [String] { spamHeaders }
    var forgedFieldMode: SanitizeHandler.Mode { settings.removeHeaders }
    var maximumMessageBytes: Int { settings.maximumMessageBytes }

    public init(config: ConfigNode) throws(ConfigurationError) {
        settings = try RSpamDSettings(config: config)
    }

    public func endOfMessage(_ session: MailSession) throws {
        let state = scannedMessage(session)
        state.buffer.endHeader()
        let user = settings.defaultUser ?? ""
        session.log(.info, key: "RSpamDUser", user.isEmpty ? "--" : user)
        if state.buffer.isTruncated {
            session.log(.info, key: Self.name, "message of \(state.buffer.offeredBytes) bytes: rspamd is given its first \(state.buffer.bytes.count) (rs_max_size \(settings.maximumMessageBytes))")
        }
        let fields = RspamdRequestFields(
            deliverTo: user, ip: session.remoteIP, helo: session.heloHost, from: session.envelopeFrom,
            queueID: session.macro("i") ?? "--", recipients: session.envelopeRecipients,
            user: session.macro("{auth_authen}").flatMap { $0.isEmpty ? nil : $0 } ?? "unauthorized")
        let outcome: RspamdScanOutcome
        if let scanner = session.rspamdScanner {
            outcome = scanner.scan(message: state.buffer.bytes, fields: fields)
        } else {
            outcome = .failed(.unavailable("no scanner process"))
        }
        switch outcome {
        case .failed(let failure):
            // Perl's words for each case; the reason after them.
            switch failure {
            case .protocolError: session.log(.error, key: "ERROR", "RSpamD bad data from server (rspamd \(failure))")
            default: session.log(.error, key: "ERROR", "RSpamD could not connect to server (rspamd \(failure))")
            }
            session.count(.rspamd, ["temperror"])
            session.addAuthResult(AuthResultsEntry(method: "x-rspam", result: "temperror"))
        case .scanned(let verdict):
            let headers = RspamdHeaders(verdict)
            if verdict.isSpam {
                session.setVerdict(.quarantine(SpamAssassinHandler.quarantineReason))
            }
            if verdict.action == "reject", settings.hardReject, !session.isLocalIP, !session.isTrustedIP {
                session.setVerdict(.reject(SpamAssassinHandler.rejectReply))
                session.log(.info, key: "RSpamDReject", "Policy reject")
            }
            session.prependHeader(name: "X-Spam-score", value: headers.score)
            session.prependHeader(name: "X-Spam-Status", value: headers.status)
            session.prependHeader(name: "X-Spam-Action", value: headers.action)
            session.count(.rspamd, [headers.result])
            session.addAuthResult(AuthResultsEntry(method: "x-rspam", result: headers.result, properties: [
                AuthResultsProperty(type: "", name: "score", value: headers.score),
                AuthResultsProperty(type: "", name: "required", value: headers.required),
            ]))
        }
        state.removeForged(session, fields: Self.spamHeaders, mode: settings.removeHeaders)
    }

}

/// The RSpamD block, read once: by the handler in each worker and by the
/// master, which starts the scanner process with rspamd's address.
public struct RSpamDSettings: Sendable, Equatable {
    /// `default_user`: the `Deliver-To:` value; none when unset or empty.
    public var defaultUser: String?
    /// `rs_host` (Perl: `|| 'localhost'`) and `rs_port` (`|| 11333`).
    public var host: String
    public var port: UInt16
    /// `hard_reject`: Perl tests it for truth; a missing key is off.
    public var hardReject: Bool
    public var removeHeaders: SanitizeHandler.Mode
    /// `rs_timeout` (ours): seconds for one scan, connect to reply.
    public var timeoutSeconds: Double
    /// `rs_max_size` (ours): bytes of the message given to rspamd at most.
    public var maximumMessageBytes: Int

    public init(config: ConfigNode) throws(ConfigurationError) {
        if let user = try config.string("default_user"), !user.isEmpty {
            guard user.utf8.count <= SpamdLimits.maximumUserBytes, !ControlCharacters.contains(user) else {
                throw (config.child("default_user") ?? config).error("expected a user name without control characters, at most \(SpamdLimits.maximumUserBytes) bytes")
            }
            defaultUser = user
        }
        host = try config.nonEmptyString("rs_host") ?? "localhost"
        guard host.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7f }), host.utf8.count <= 255 else {
            throw (config.child("rs_host") ?? config).error("expected a host name or an IP address")
        }
        let port = try config.integer("rs_port", in: 0...65535) ?? 0
        self.port = port == 0 ? 11333 : UInt16(port)
        hardReject = try config.bool("hard_reject") ?? false
        removeHeaders = try SanitizeHandler.mode(config.child("remove_headers"))
        timeoutSeconds = try config.number("rs_timeout", in: 0.1...SpamdLimits.maximumTimeoutSeconds) ?? SpamdLimits.defaultTimeoutSeconds
        maximumMessageBytes = try config.integer("rs_max_size", in: 1024...SpamdLimits.maximumMessageBytes) ?? SpamdLimits.defaultMessageBytes
    }

    /// The settings of the configuration's enabled RSpamD block, nil when
    /// the handler is not enabled (or its block does not read).
    public static func enabled(in configuration: Configuration) -> RSpamDSettings? {
        guard let entry = configuration.enabledHandlers.first(where: { $0.name == RSpamDHandler.name }) else { return nil }
        return try? RSpamDSettings(config: entry.node)
    }

    /// rspamd's part of the scanner process's command line.
    public var scannerArguments: [String] {
        ["--rspamd-host", host, "--rspamd-port", String(port), "--rspamd-timeout", String(timeoutSeconds)]
    }
}
