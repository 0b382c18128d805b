import MailAuth
import Metrics
import Config
import IPC

/// ClamAV: scans every message for viruses with clamd, as the Perl handler
/// of the authentication_milter_extra distribution does
/// (`Mail::Milter::Authentication::Handler::ClamAV`).
///
/// The message is rebuilt from the milter callbacks (at most `ca_max_size`
/// bytes) and streamed to clamd at the end of the message with
/// `zINSTREAM` through the scanner process (`session.clamdScanner`; a
/// worker opens no socket). Then, as Perl writes it:
///
///     x-virus=pass                        nothing found
///     x-virus=fail (Eicar-Signature)      found; with hard_reject, from a client
///                                         neither local nor trusted:
///                                         550 5.7.0 Virus policy violation
///     x-virus=temperror                   clamd down, slow, refusing; the mail goes on
///
/// A message larger than `ca_max_size` is scanned on its first part: a
/// virus found there is a `fail`, nothing found a `temperror` (the rest was
/// not scanned, so it is not a `pass`).
public final class ClamAVHandler: ContentScanningHandler {
    public static let name = "ClamAV"
    public static let defaultConfigJSON = HandlerHelp.json([
        "ca_name": "/var/run/clamav/clamd.ctl",
        "ca_host": "127.0.0.1",
        "ca_port": "3310",
        "hard_reject": 1,
        "ca_timeout": 30,
        "ca_max_size": 10_485_760,
    ])
    public static let helpText = HandlerHelp.text(module: name, "Virus check email for using clamav.", configuration: """
                "ClamAV" : {                                    | Config for the ClamAV Module
                    "hard_reject" : "1",                        | Reject mail with a virus (not for local or
                                                                | trusted clients)
                    "ca_name" : "/var/run/clamav/clamd.ctl",    | clamd's unix socket (used when set)
                    "ca_host" : "127.0.0.1",                    | or the host and port clamd listens on
                    "ca_port" : "3310",
                    "ca_timeout" : 30,                          | Seconds for one scan; then x-virus=temperror (ours)
                    "ca_max_size" : 10485760                    | Bytes of the message sent to clamd at most (ours)
                },
        """)

    public static var configKeys: Set<String> {
        ["ca_name", "ca_host", "ca_port", "hard_reject", "ca_timeout", "ca_max_size", "socket_name", "socket_host", "socket_port"]
    }

    static let rejectReply = "550 5.7.0 Virus policy violation"

    public let settings: ClamAVSettings

    static var verdictFields: [String] { [] }
    var forgedFieldMode: SanitizeHandler.Mode { .no }
    var maximumMessageBytes: Int { settings.maximumMessageBytes }

    public init(config: ConfigNode) throws(ConfigurationError) {
        settings = try ClamAVSettings(config: config)
    }

    public func endOfMessage(_ session: MailSession) throws {
        let state = scannedMessage(session)
        state.buffer.endHeader()
        let outcome: ClamdScanOutcome
        if let scanner = session.clamdScanner {
            outcome = scanner.scan(message: state.buffer.bytes)
        } else {
            outcome = .failed(.unavailable("no scanner process"))
        }
        switch outcome {
        case .failed(let failure):
            // Perl's words when clamd cannot be reached; the reason after them.
            if case .unreachable = failure {
                session.log(.error, key: "ERROR", "ClamAVError: Scanner Ping Failed (clamd \(failure))")
            } else {
                session.log(.error, key: "ERROR", "ClamAVError: scan failed (clamd \(failure))")
            }
            session.count(.clamAV, ["temperror"])
            session.addAuthResult(AuthResultsEntry(method: "x-virus", result: "temperror"))
        case .scanned(.infected(let name)):
            session.log(.info, key: "ClamAV: Virus Found", name)
            session.count(.clamAV, ["fail"])
            session.addAuthResult(AuthResultsEntry(method: "x-virus", result: "fail", comment: AuthResultsComment(name)))
            if settings.hardReject, !session.isLocalIP, !session.isTrustedIP {
                session.setVerdict(.reject(Self.rejectReply))
                session.log(.info, key: "ClamAVReject", "Policy reject")
            }
        case .scanned(.clean) where state.buffer.isTruncated:
            session.log(.info, key: Self.name, "message of \(state.buffer.offeredBytes) bytes is larger than ca_max_size (\(settings.maximumMessageBytes)): nothing found in its first \(state.buffer.bytes.count), the rest not scanned")
            session.count(.clamAV, ["temperror"])
            session.addAuthResult(AuthResultsEntry(method: "x-virus", result: "temperror"))
        case .scanned(.clean):
            session.count(.clamAV, ["pass"])
            session.addAuthResult(AuthResultsEntry(method: "x-virus", result: "pass"))
        }
    }

}

/// The ClamAV block, read once: by the handler in each worker and by the
/// master, which starts the scanner process with clamd's address.
public struct ClamAVSettings: Sendable, Equatable {
    /// Where ClamAV::Client looks without socket options (Debian's clamd
    /// LocalSocket).
    public static let defaultSocket = "/var/run/clamav/clamd.ctl"
    /// `ca_max_size` when unset, and the most it may be: clamd's own
    /// `StreamMaxLength` is 25 MB by default.
    public static let defaultMessageBytes = 10 << 20
    public static let maximumMessageBytes = ClamdRequest.maximumMessageBytes

    /// clamd's unix socket, or nil for TCP at `host`:`port`.
    public var socketPath: String?
    public var host: String
    public var port: UInt16
    /// `hard_reject`: Perl tests it for truth; a missing key is off.
    public var hardReject: Bool
    /// `ca_timeout` (ours): seconds for one scan, connect to reply.
    public var timeoutSeconds: Double
    /// `ca_max_size` (ours): bytes of the message given to clamd at most.
    public var maximumMessageBytes: Int

    /// The documented keys are `ca_name`, `ca_host`, `ca_port`; Perl's
    /// handler reads `socket_name`, `socket_host`, `socket_port` instead
    /// (and so, with the documented keys, ClamAV::Client's default socket).
    /// Both are read here, Perl's code's keys first; a socket name wins
    /// over a host; without either, the default socket.
    public init(config: ConfigNode) throws(ConfigurationError) {
        var name = try config.nonEmptyString("socket_name")
        if name == nil { name = try config.nonEmptyString("ca_name") }
        let hostKey = try config.nonEmptyString("socket_host") != nil ? "socket_host" : "ca_host"
        let host = try config.nonEmptyString(hostKey)
        let portKey = config.child("socket_port") != nil ? "socket_port" : "ca_port"
        let port = try config.integer(portKey, in: 0...65535) ?? 0
        if let name {
            guard name.hasPrefix("/"), SpamdAddress.unixSocket(name) != nil else {
                throw (config.child("socket_name") ?? config.child("ca_name") ?? config).error("expected the absolute path of clamd's unix socket (at most 107 bytes)")
            }
            socketPath = name
        } else if host == nil {
            socketPath = Self.defaultSocket
        }
        self.host = host ?? "127.0.0.1"
        guard self.host.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7f }), self.host.utf8.count <= 255 else {
            throw (config.child(hostKey) ?? config).error("expected a host name or an IP address")
        }
        self.port = port == 0 ? 3310 : UInt16(port)
        hardReject = try config.bool("hard_reject") ?? false
        timeoutSeconds = try config.number("ca_timeout", in: 0.1...SpamdLimits.maximumTimeoutSeconds) ?? SpamdLimits.defaultTimeoutSeconds
        maximumMessageBytes = try config.integer("ca_max_size", in: 1024...Self.maximumMessageBytes) ?? Self.defaultMessageBytes
    }

    /// The settings of the configuration's enabled ClamAV block, nil when
    /// the handler is not enabled (or its block does not read).
    public static func enabled(in configuration: Configuration) -> ClamAVSettings? {
        guard let entry = configuration.enabledHandlers.first(where: { $0.name == ClamAVHandler.name }) else { return nil }
        return try? ClamAVSettings(config: entry.node)
    }

    /// clamd's part of the scanner process's command line.
    public var scannerArguments: [String] {
        let address = socketPath.map { ["--clamd-socket", $0] } ?? ["--clamd-host", host, "--clamd-port", String(port)]
        return address + ["--clamd-timeout", String(timeoutSeconds)]
    }
}
