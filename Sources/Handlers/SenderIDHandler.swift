import Config
import MailAuth
import Metrics

/// SenderID (RFC 4406, deprecated): checks the message's responsible
/// address against the client address in the `pra` scope, as the Perl
/// handler does with Mail::SPF (`versions => [2]`, `scope => 'pra'`):
///
/// - skipped entirely for local, trusted and authenticated clients;
/// - while headers arrive: keeps the last `From` field (any case);
/// - at end of headers: the identity is that field's one mailbox, read by
///   the strict `MailboxListParser` (the newest Perl release's
///   Email::Address::XS) as `local@domain`; no `From`, an empty one, one
///   listing several mailboxes or a group, or one that does not parse
///   gives a bare `senderid=permerror` and no `Received-SPF`; an unusable client
///   address a bare `senderid=temperror`. Otherwise it evaluates, adds
///   `senderid=<result>` and prepends Mail::SPF's `Received-SPF` line
///   (`identity=pra; pra=...`), unwrapped as the Perl handler adds it.
///   With `hide_none`, a "none" adds neither.
///
/// Only `spf2.0/...pra...` records count, as in Mail::SPF; `v=spf1`
/// records give "none". Two keys beyond Perl's change that: with
/// `"spf1_fallback": 1` a domain without any `spf2.0` record is checked
/// against its `v=spf1` record (RFC 4406 section 3.4); with
/// `"pra_selection": "rfc4407"` the identity is the RFC 4407 PRA
/// (Resent-Sender, Resent-From, Sender, From) instead of the last From,
/// and a message without a PRA gives `senderid=permerror`.
public final class SenderIDHandler: Handler {
    public static let name = "SenderID"
    /// Perl's `default_config`: what `-h default_config` prints. At run
    /// time a missing key is off, as Perl reads the block as it is.
    public static let defaultConfigJSON = """
        {
           "hide_none" : 1
        }
        """
    public static let helpText = """
        SenderID Module

        Implements the SenderID standard checks.

        CONFIGURATION
                "SenderID" : {                                  | Config for the SenderID Module
                    "hide_none" : 1                             | Hide auth line if the result is 'none'
                },
        """
    /// Perl's key plus this program's two extensions.
    public static var configKeys: Set<String> { ["hide_none", "pra_selection", "spf1_fallback"] }

    /// How the identity is chosen from the header.
    public enum PRASelection: String, Sendable {
        /// The Perl handler's: the one mailbox of the last `From` field.
        case from
        /// RFC 4407 section 2.
        case rfc4407
    }

    public let hideNone: Bool
    public let praSelection: PRASelection
    public let spf1Fallback: Bool
    /// Limits and texts of every check (the fallback switch is set from
    /// `spf1_fallback`).
    public var options = SPFOptions()
    /// Records parsed for earlier messages of this worker.
    public let recordCache = SPFRecordCache()

    /// The evaluation of this message, when there was one.
    public func result(in session: MailSession) -> SPFResult? {
        session.existingMessageState(of: self, SenderIDMessageState.self)?.result
    }

    public init(config: ConfigNode) throws(ConfigurationError) {
        hideNone = try config.bool("hide_none") ?? false
        spf1Fallback = try config.bool("spf1_fallback") ?? false
        if let node = config.child("pra_selection"), !node.isNull {
            let text = try node.stringValue()
            guard let selection = PRASelection(rawValue: text.lowercased()) else {
                throw node.error("expected \"from\" or \"rfc4407\", got \"\(text)\"")
            }
            praSelection = selection
        } else {
            praSelection = .from
        }
        options.senderIDFallsBackToVersion1 = spf1Fallback
    }

    private func skips(_ session: MailSession) -> Bool {
        session.isLocalIP || session.isTrustedIP || session.isAuthenticated
    }

    // MARK: Callbacks

    public func helo(_ session: MailSession, host: String) throws {
        session.connectionState(of: self, SenderIDConnectionState.self).heloName = host
    }

    public func envelopeFrom(_ session: MailSession, address: String) throws {
        guard !skips(session) else { return }
        // The message starts here: nothing of an earlier MAIL FROM counts.
        session.newMessageState(of: self, SenderIDMessageState.self)
    }

    public func header(_ session: MailSession, name: String, value: String) throws {
        guard !skips(session) else { return }
        let state = session.messageState(of: self, SenderIDMessageState.self)
        let key = SenderIDPRA.fieldKey(name)
        if key == "from" { state.fromValue = value }
        guard praSelection == .rfc4407 else { return }
        switch key {
        case "resent-sender", "resent-from", "sender", "from":
            state.fields.append((name, value))
        case "received", "return-path":
            // Only whether trace fields stand between two fields matters.
            if let last = state.fields.last, ["received", "return-path"].contains(SenderIDPRA.fieldKey(last.name)) { break }
            state.fields.append((name, ""))
        default:
            break
        }
    }

    public func endOfHeaders(_ session: MailSession) throws {
        guard !skips(session) else { return }
        let state = session.messageState(of: self, SenderIDMessageState.self)
        let identity: String
        switch praSelection {
        case .from:
            // The newest Perl release (Email::Address::XS): the field's one
            // mailbox; none, several, a group or a syntax error give no
            // identity, so no PRA is invented (RFC 4407 section 2).
            identity = state.fromValue.flatMap { MailboxListParser.singleMailbox($0)?.addrSpec } ?? ""
        case .rfc4407:
            identity = SenderIDPRA.select(from: state.fields)?.address ?? ""
        }
        guard !identity.isEmpty else {
            session.count(.senderID, [SPFResultCode.permerror.rawValue])
            session.addAuthResult(AuthResultsEntry(method: "senderid", result: SPFResultCode.permerror.rawValue))
            return
        }
        guard let ip = IPAddress(clientAddress: session.remoteIP) else {
            // Mail::SPF refuses the request; the Perl handler's eval turns
            // that into a bare temperror.
            session.count(.senderID, [SPFResultCode.temperror.rawValue])
            session.addAuthResult(AuthResultsEntry(method: "senderid", result: SPFResultCode.temperror.rawValue))
            return
        }
        let helo = session.connectionState(of: self, SenderIDConnectionState.self).heloName ?? (session.heloHost.isEmpty ? nil : session.heloHost)
        let evaluator = SPFEvaluator(resolver: session.resolver, options: options, recordCache: recordCache)
        let result = evaluator.evaluate(.pra(identity, ip: ip, helo: helo))
        state.result = result
        session.count(.senderID, [result.code.rawValue])
        guard !(hideNone && result.code == .none) else { return }
        session.addAuthResult(AuthResultsEntry(method: "senderid", result: result.code.rawValue))
        let receiver = [session.macro("j"), session.macro("rcpt_host")].compactMap { $0 }.first { !$0.isEmpty }
            ?? session.systemHostname
        session.prependHeader(name: SPFResult.receivedSPFFieldName, value: result.receivedSPFValue(receiver: receiver))
    }
}

/// What the Sender-ID handler knows of the message in flight (see
/// `HandlerState`).
final class SenderIDMessageState: HandlerState {
    /// The last `From` value (Perl's `from_header`).
    var fromValue: String?
    /// For `rfc4407`: the fields the PRA algorithm looks at, in order;
    /// runs of `Received`/`Return-Path` are kept as one marker.
    var fields: [(name: String, value: String)] = []
    var result: SPFResult?
    init() {}
}

/// What the Sender-ID handler knows of the connection: the HELO name.
final class SenderIDConnectionState: HandlerState {
    var heloName: String?
    init() {}
}
