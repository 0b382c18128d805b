#if canImport(Glibc)
import Glibc
#endif
import BlockerRules
import MailAuth
import Metrics
import ProcessLog

/// Everything the handlers know about one SMTP connection and the message
/// in flight, and what they want done to it. Owned by one worker, used by
/// one connection at a time: no locking.
public final class MailSession {
    /// Where DNS questions go (the DNS helper in a worker, a zone in tests).
    public let resolver: any DNSResolver

    // Connection
    public var remoteHostname = ""
    /// With the metrics endpoint on: the worker's tally, which handlers
    /// count into (`count(_:_:)`); nil otherwise, so counting costs one
    /// nil check when nobody reads the counts.
    public var metrics: MetricTally?
    /// The client address checks use: after `ip_map` remapping.
    public var remoteIP = ""
    /// The address the MTA reported, before remapping.
    public var rawRemoteIP = ""
    /// The HELO name checks use: after `helo_map` remapping.
    public var heloHost = ""
    /// The HELO name the client sent.
    public var rawHeloHost = ""
    /// Macros the MTA sent, by name without braces ("j", "auth_authen").
    public var macros: [String: String] = [:]
    /// SMTP mode (`"protocol": "smtp"`): no MTA macros arrive; what the
    /// MTA in front knew (TLS) is read from the message's first Received.
    public var servesSMTP = false
    /// Set by Auth/LocalIP/TrustedIP, read by the tempfail_on_error_* rules.
    public var isAuthenticated = false
    public var isLocalIP = false
    public var isTrustedIP = false
    /// What IPRev verified, for PTR: nil when IPRev did not run on this
    /// connection, "" when nothing was verified, else the forward-confirmed
    /// names joined by ",".
    public var verifiedPTR: String?
    /// The configured `authserv_id`, and the system host name (read before
    /// the sandbox): Sanitize compares headers' authserv-ids with ours.
    public var authservIDSetting: String?
    public var systemHostname = "localhost"

    // Message
    /// The exact bytes of the header being passed to the header callbacks
    /// (name and value as the MTA sent them), for checks that hash headers
    /// (DKIM, ARC): the `String` arguments lose invalid UTF-8.
    public var currentRawHeader: (name: [UInt8], value: [UInt8])?
    /// The name of the header being passed to the header callbacks,
    /// lowercased once by the dispatcher for all of them (issue 12: each
    /// handler lowercased it again for every header).
    public var currentHeaderName: String? {
        didSet { currentHeaderLowercasedName = nil }
    }
    private var currentHeaderLowercasedName: String?

    /// `name` lowercased: worked out once per header for every handler
    /// when `name` is the header being passed around, else each time.
    public func lowercasedHeaderName(_ name: String) -> String {
        guard let current = currentHeaderName, current == name else { return name.lowercased() }
        if let lowered = currentHeaderLowercasedName { return lowered }
        let lowered = name.lowercased()
        currentHeaderLowercasedName = lowered
        return lowered
    }
    public var envelopeFrom = ""
    public var envelopeRecipients: [String] = []
    public private(set) var authResults: [AuthResultsEntry] = []
    /// Connection-level results (Perl's add_c_auth_header: LocalIP, IPRev,
    /// TLS, ...): part of the header of every message on the connection.
    public private(set) var connectionAuthResults: [AuthResultsEntry] = []
    /// The header each entry of `authResults` / `connectionAuthResults`
    /// goes to (its handler's `auth_header_name`; nil: the standard one),
    /// index for index.
    public private(set) var authResultHeaderNames: [AuthResultsHeaderName?] = []
    public private(set) var connectionAuthResultHeaderNames: [AuthResultsHeaderName?] = []
    /// Set by the dispatcher around each handler call: where the entries
    /// that handler adds go.
    public var currentAuthResultsHeaderName: AuthResultsHeaderName?
    /// Header occurrences to delete at the end of the message (Sanitize):
    /// name and 1-based occurrence among headers of that name.
    public private(set) var removedHeaders: [(name: String, occurrence: UInt32)] = []
    /// Headers to add at the end of the header block (Perl append_header).
    public private(set) var appendedHeaders: [(name: String, value: String)] = []
    /// Headers to add at the top (Perl prepend_header), in order.
    public private(set) var prependedHeaders: [(name: String, value: String)] = []
    /// A handler's wish to reject or defer the message.
    public private(set) var verdict: Verdict = .none
    /// Messages seen on this connection (for logging and queue ids).
    public private(set) var messageCount = 0

    public enum Verdict: Equatable, Sendable {
        case none
        case reject(String)
        case tempfail(String)
        case quarantine(String)
    }

    /// Where DMARC aggregate report rows go (the worker's spool channel);
    /// nil: rows are not kept (tests, or no spool).
    public var reportRowSink: ((DMARCReportRow) -> Void)?

    /// Where the SpamAssassin handler sends messages to be scanned (the
    /// worker's channel to the scanner process; a scripted spamd in
    /// tests); nil: no scanner, every scan is a temperror.
    public var spamScanner: (any SpamdScanning)?
    /// Where the RSpamD and ClamAV handlers send messages (the same
    /// channel to the scanner process in a worker); nil: every scan is a
    /// temperror.
    public var rspamdScanner: (any RspamdScanning)?
    public var clamdScanner: (any ClamdScanning)?
    /// Fetches BIMI indicators and VMCs (the worker's channel to the fetch
    /// helper; a scripted table in tests); nil: every fetch fails.
    public var bimiFetcher: (any BIMIFetching)?

    /// The Blocker rules in force for this connection (the master reads
    /// the files and sends them to the worker); nil: no rules.
    public var blockerRules: BlockerRuleBook?

    /// Where the AbusixDataFeed handler sends each transaction's record
    /// (the worker's spool channel; the spool sends the datagram); nil:
    /// records are not kept (tests collect them here).
    public var abusixRecordSink: ((AbusixFeedRecord) -> Void)?

    /// Handlers' own state (see `HandlerState`), by handler and state type:
    /// the message's, dropped by `resetMessage()`, and the connection's,
    /// dropped by `connectionEnded()`. A handler holds only configuration.
    private var messageStates: [HandlerStateKey: AnyObject] = [:]
    private var connectionStates: [HandlerStateKey: AnyObject] = [:]

    /// Where handlers' log lines go; nil: the worker's log (`ChildLog`,
    /// debug lines only with `debug`). Tests collect them here, debug
    /// lines included.
    public var logSink: ((ChildLog.Level, String) -> Void)?
    /// With `errors_to`: every line logged on the connection, debug ones
    /// included, for the error mail (`ConnectionTrace`).
    public var keepsTrace = false
    public private(set) var trace = ConnectionTrace()
    /// The clock of the trace's time stamps (seconds since the epoch).
    public var wallClock: () -> Int = { Int(time(nil)) }
    /// Handler errors and stage overruns of the connection, in words, and
    /// the queue id of the first: handed to `unexpectedErrorSink` with the
    /// trace when the connection ends (Perl mails after the connection).
    public private(set) var unexpectedErrors: [(text: String, isTimeout: Bool)] = []
    private var unexpectedErrorQueueID = ""
    /// The worker's report to the spool (`ErrorReport`); nil in tests.
    public var unexpectedErrorSink: ((_ errors: [(text: String, isTimeout: Bool)], _ queueID: String, _ trace: [String]) -> Void)?

    /// A handler error or a stage overrun, for the error mail.
    public func recordUnexpectedError(_ text: String, isTimeout: Bool) {
        if unexpectedErrors.isEmpty { unexpectedErrorQueueID = macro("i") ?? "" }
        // Bounded: a connection failing at every header reports the first 50.
        if unexpectedErrors.count < 50 { unexpectedErrors.append((text, isTimeout)) }
    }
    /// Handler log lines written before the MTA sent a queue id (`i`),
    /// kept to be written with it, as Perl's `dbgout` keeps them.
    private var pendingLogLines: [(level: ChildLog.Level, key: String, value: String)] = []

    public init(resolver: any DNSResolver) {
        self.resolver = resolver
    }

    public func macro(_ name: String) -> String? {
        var key = name
        if key.hasPrefix("{") && key.hasSuffix("}") { key = String(key.dropFirst().dropLast()) }
        return macros[key]
    }

    public func addAuthResult(_ entry: AuthResultsEntry) {
        authResults.append(entry)
        authResultHeaderNames.append(currentAuthResultsHeaderName)
    }
    public func addConnectionAuthResult(_ entry: AuthResultsEntry) {
        connectionAuthResults.append(entry)
        connectionAuthResultHeaderNames.append(currentAuthResultsHeaderName)
    }
    /// Asks for the `occurrence`-th (1-based) header called `name` to be
    /// removed at the end of the message.
    public func removeHeader(name: String, occurrence: UInt32) {
        guard !removedHeaders.contains(where: { $0.name.lowercased() == name.lowercased() && $0.occurrence == occurrence }) else { return }
        removedHeaders.append((name, occurrence))
    }
    public func appendHeader(name: String, value: String) { appendedHeaders.append((name, value)) }
    public func prependHeader(name: String, value: String) { prependedHeaders.append((name, value)) }

    /// The strongest wish wins: reject over tempfail over quarantine over
    /// none; a weaker wish never undoes a stronger one.
    public func setVerdict(_ wanted: Verdict) {
        if Self.strength(wanted) > Self.strength(verdict) { verdict = wanted }
    }

    static func strength(_ verdict: Verdict) -> Int {
        switch verdict {
        case .none: return 0
        case .quarantine: return 1
        case .tempfail: return 2
        case .reject: return 3
        }
    }

    /// A reject or defer was sent: the wish is spent (a quarantine stays
    /// for the end of the message).
    public func clearRejection() {
        switch verdict {
        case .reject, .tempfail: verdict = .none
        case .none, .quarantine: break
        }
    }

    /// Clears everything a message leaves behind (new MAIL FROM, RSET, end
    /// of message), keeping the connection's state.
    public func resetMessage() {
        messageStates.removeAll(keepingCapacity: true)
        envelopeFrom = ""
        envelopeRecipients = []
        authResults = []
        authResultHeaderNames = []
        removedHeaders = []
        appendedHeaders = []
        prependedHeaders = []
        verdict = .none
    }

    public func messageFinished() { messageCount += 1 }

    /// The MTA ended the SMTP session (QUIT or QUIT_NC): the next one on
    /// this milter connection starts counting afresh.
    public func connectionEnded() {
        flushPendingLogLines(queueID: "--")
        if !unexpectedErrors.isEmpty { unexpectedErrorSink?(unexpectedErrors, unexpectedErrorQueueID, trace.lines) }
        trace.removeAll()
        unexpectedErrors = []
        unexpectedErrorQueueID = ""
        connectionStates.removeAll(keepingCapacity: true)
        messageCount = 0
        connectionAuthResults = []
        connectionAuthResultHeaderNames = []
        verifiedPTR = nil
    }

    /// Perl's Auth handler drops every result gathered so far on the
    /// connection and the message once the client authenticated.
    public func clearAuthResults() {
        connectionAuthResults = []
        connectionAuthResultHeaderNames = []
        authResults = []
        authResultHeaderNames = []
    }
}

// MARK: Handlers' log lines

extension MailSession {
    /// A line for the log, as is.
    public func log(_ level: ChildLog.Level, _ text: @autoclosure () -> String) {
        write(level, text(), traced: true)
    }

    /// One line to the log; `traced`: into the connection's trace too
    /// (a line that waited for the queue id is in it already).
    private func write(_ level: ChildLog.Level, _ text: @autoclosure () -> String, traced: Bool) {
        if keepsTrace {
            let line = text()
            if traced { trace.append("\(level.rawValue) \(line)", at: wallClock()) }
            if let logSink {
                logSink(level, line)
            } else if level == .debug {
                ChildLog.debug(line)
            } else {
                ChildLog.write(level, line)
            }
            return
        }
        if let logSink {
            logSink(level, text())
        } else if level == .debug {
            ChildLog.debug(text())
        } else {
            ChildLog.write(level, text())
        }
    }

    /// Perl's `dbgout($key, $value, $priority)`: the line
    /// `<queue id>: <key>: <value>`, the queue id being the MTA's `i`
    /// macro. Lines logged before the MTA sent one (at connect and HELO:
    /// Postfix sends `i` with MAIL FROM) wait and are written with the
    /// first queue id, or at the end of the headers and of the connection
    /// (`writePendingLogLines`, `--` when there is still no queue id), as
    /// Perl's `dbgoutwrite` does.
    public func log(_ level: ChildLog.Level, key: String, _ value: String) {
        guard let queueID = macro("i"), !queueID.isEmpty else {
            pendingLogLines.append((level, key, value))
            // The trace has it now, when it happened: an error mail of a
            // stage cut before the queue id is known still shows it.
            if keepsTrace { trace.append("\(level.rawValue) --: \(key): \(value)", at: wallClock()) }
            return
        }
        flushPendingLogLines(queueID: queueID)
        log(level, "\(queueID): \(key): \(value)")
    }

    /// Perl's `dbgoutwrite` after the end-of-headers stage: what waits is
    /// written, with `--` when the MTA sent no queue id.
    public func writePendingLogLines() {
        flushPendingLogLines(queueID: macro("i").flatMap { $0.isEmpty ? nil : $0 } ?? "--")
    }

    func flushPendingLogLines(queueID: String) {
        guard !pendingLogLines.isEmpty else { return }
        let lines = pendingLogLines
        pendingLogLines.removeAll()
        for line in lines { write(line.level, "\(queueID): \(line.key): \(line.value)", traced: false) }
    }
}

// MARK: Handlers' state

/// A handler's state for one message (or one connection): a final class
/// the session creates empty at the handler's first use in the message and
/// drops when the message ends, is aborted or is replaced (MAIL FROM), so
/// nothing of one message can reach the next: there is no reset to write.
/// A class, so that the callbacks change it in place (one allocation per
/// message and handler, none per header or body chunk).
public protocol HandlerState: AnyObject {
    init()
}

struct HandlerStateKey: Hashable {
    let handler: ObjectIdentifier
    let state: ObjectIdentifier
}

extension MailSession {
    /// `handler`'s state of type `State` for the message in flight, created
    /// empty at the first call of the message.
    public func messageState<State: HandlerState>(of handler: some Handler, _ type: State.Type = State.self) -> State {
        Self.state(of: handler, in: &messageStates)
    }

    /// `handler`'s state for this message if it made one (for readers such
    /// as DMARC and the tests: reading creates nothing).
    public func existingMessageState<State: HandlerState>(of handler: some Handler, _ type: State.Type = State.self) -> State? {
        messageStates[HandlerStateKey(handler: ObjectIdentifier(handler), state: ObjectIdentifier(State.self))]
            .map { unsafeDowncast($0, to: State.self) }
    }

    /// A fresh state for a message that starts now (a handler whose message
    /// begins at MAIL FROM): whatever the handler had is dropped.
    @discardableResult
    public func newMessageState<State: HandlerState>(of handler: some Handler, _ type: State.Type = State.self) -> State {
        let fresh = State()
        messageStates[HandlerStateKey(handler: ObjectIdentifier(handler), state: ObjectIdentifier(State.self))] = fresh
        return fresh
    }

    /// `handler`'s state of type `State` for this connection, created empty
    /// at the first call of the connection and dropped when it ends.
    public func connectionState<State: HandlerState>(of handler: some Handler, _ type: State.Type = State.self) -> State {
        Self.state(of: handler, in: &connectionStates)
    }

    /// `handler`'s state for this connection if it made one (reading
    /// creates nothing).
    public func existingConnectionState<State: HandlerState>(of handler: some Handler, _ type: State.Type = State.self) -> State? {
        connectionStates[HandlerStateKey(handler: ObjectIdentifier(handler), state: ObjectIdentifier(State.self))]
            .map { unsafeDowncast($0, to: State.self) }
    }

    private static func state<State: HandlerState>(of handler: some Handler, in states: inout [HandlerStateKey: AnyObject]) -> State {
        let key = HandlerStateKey(handler: ObjectIdentifier(handler), state: ObjectIdentifier(State.self))
        if let existing = states[key] { return unsafeDowncast(existing, to: State.self) }
        let fresh = State()
        states[key] = fresh
        return fresh
    }
}

extension MailSession {
    /// Counts one event of a handler's family (Perl's `metric_count`);
    /// nothing when the metrics endpoint is off.
    @inline(__always)
    public func count(_ family: MetricFamily, _ labels: [String] = [], by amount: UInt64 = 1) {
        metrics?.count(family, labels, by: amount)
    }
}
