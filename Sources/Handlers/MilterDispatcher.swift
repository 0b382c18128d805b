import MailAuth
import MessageLog
import Metrics
import Milter

/// Settings the dispatcher needs from the global configuration.
public struct DispatcherSettings: Sendable {
    public var authservID: String?
    /// The system hostname, the last authserv-id fallback (read before the
    /// sandbox: uname is not allowed after it).
    public var hostname = "localhost"
    public var hideNone = false
    public var indentStyle: AuthResultsIndentStyle = .entry
    public var indentBy = 4
    public var foldAt = 0
    public var dryrun = false
    public var milterQuarantine = false
    public var tempfailOnError = false
    public var tempfailOnErrorAuthenticated = false
    public var tempfailOnErrorLocal = false
    public var tempfailOnErrorTrusted = false
    /// Seconds a callback may take before it counts as an error (0: none).
    public var connectTimeout = 0.0
    public var commandTimeout = 0.0
    public var contentTimeout = 0.0
    /// `ip_map` with its `helo_map`s.
    public var remap = ConnectionRemap([])
    /// Handlers' `auth_header_name`, by handler name.
    public var authHeaderNames: [String: AuthResultsHeaderName] = [:]
    /// `extended_log`: one ARex line per message (`MessageLog.ARexLine`).
    /// Off in bare settings (tests of other lines); the configuration's
    /// default is on, as Perl's (`DispatcherSettings(_ configuration:)`).
    public var extendedLog = false
    /// `legacy_log`: Perl's older `A-R:` line per added header.
    public var legacyLog = false
    public init() {}
}

/// Turns milter commands into handler callbacks and handler findings into
/// milter replies. Pure with respect to I/O: the worker feeds it decoded
/// commands and writes out what it returns, so the whole conversation is
/// testable without sockets.
public final class MilterDispatcher {
    public let session: MailSession
    let handlers: [any Handler]
    let settings: DispatcherSettings
    let clock: () -> Double
    /// Lines for the log (errors, timeouts, dry-run decisions); the worker
    /// drains them after each command.
    public private(set) var logLines: [String] = []
    /// True once the MTA said QUIT: the worker closes the connection.
    public private(set) var finished = false
    /// The protocol options agreed with the MTA; none before negotiation,
    /// so every command that can take a reply gets one.
    public private(set) var negotiatedSteps: MilterProtocolSteps = []
    /// A reject or tempfail found at a stage the MTA does not wait on,
    /// kept for the next command it waits on (end of message).
    var heldReply: [MilterResponse]?
    /// The same found at connect or HELO: it refuses every message of the
    /// connection, as the MTA does after such a reply.
    var heldConnectionReply: [MilterResponse]?

    /// The content stages, never answered when the MTA allows it. The MTA
    /// reports their outcome to the SMTP client only at end of DATA in any
    /// case (Postfix and Sendmail send headers and body once the message
    /// is in), so a reject found at a header is as good held until end of
    /// message, and a message costs one round trip for its content instead
    /// of one per header and chunk (issue 12).
    public static let unansweredCommands: MilterProtocolSteps = [
        .noReplyToData, .noReplyToUnknown, .noReplyToHeader, .noReplyToEndOfHeaders, .noReplyToBody,
    ]

    /// Connect, HELO, MAIL and RCPT, unanswered while no enabled handler
    /// may refuse there (`Handler.refusesBeforeData`: Blocker). What is
    /// left to say at those stages is a handler error's tempfail
    /// (`tempfail_on_error`), which is then held and given at end of
    /// message: the message is deferred all the same, one step later,
    /// and a clean message costs two round trips instead of six
    /// (issue 12).
    public static let unansweredEnvelopeCommands: MilterProtocolSteps = [
        .noReplyToConnect, .noReplyToHelo, .noReplyToMailFrom, .noReplyToRcptTo,
    ]

    /// The commands this dispatcher asks the MTA not to wait for.
    public let unansweredCommands: MilterProtocolSteps

    /// Each handler's `auth_header_name`, in `handlers` order: looked up
    /// once per connection, not by name for every handler at every stage.
    let authHeaderNameOfHandler: [AuthResultsHeaderName?]

    public init(handlers: [any Handler], session: MailSession, settings: DispatcherSettings, clock: @escaping () -> Double) {
        self.handlers = handlers
        authHeaderNameOfHandler = handlers.map { settings.authHeaderNames[type(of: $0).name] }
        unansweredCommands = handlers.contains { type(of: $0).refusesBeforeData }
            ? Self.unansweredCommands : Self.unansweredCommands.union(Self.unansweredEnvelopeCommands)
        self.session = session
        self.settings = settings
        self.clock = clock
        session.authservIDSetting = settings.authservID
        session.systemHostname = settings.hostname
    }

    public func drainLog() -> [String] {
        defer { logLines.removeAll() }
        return logLines
    }

    /// Replies to one packet: like `handle(_:)`, and a header's exact bytes
    /// are available to the header callbacks as `session.currentRawHeader`.
    public func handle(packet: MilterPacket) -> [MilterResponse] {
        if let raw = packet.rawHeaderField {
            session.currentRawHeader = (raw.name, raw.value)
            defer { session.currentRawHeader = nil }
            return handle(packet.command)
        }
        return handle(packet.command)
    }

    /// Replies to one command; an empty array means no reply is due.
    public func handle(_ command: MilterCommand) -> [MilterResponse] {
        let answered = command.expectsResponse(negotiatedSteps: negotiatedSteps)
        if let held = heldConnectionReply, command.isMessageStage {
            // The connection is refused: no handler sees its messages.
            guard answered else { return [] }
            if case .endOfMessage = command { resetMessage() }
            return held
        }
        if let held = heldReply, command.isContentStage {
            // The message is already refused: no handler sees the rest.
            guard answered else { return [] }
            if case .endOfMessage = command { session.messageFinished() }
            resetMessage()
            return held
        }
        let replies = dispatch(command)
        if answered || replies.isEmpty || replies == [.continue] { return answered ? replies : [] }
        switch command {
        case .connect, .helo: heldConnectionReply = replies
        default: heldReply = replies
        }
        return []
    }

    func dispatch(_ command: MilterCommand) -> [MilterResponse] {
        switch command {
        case .optionNegotiation(let version, let actions, let steps):
            var wanted: MilterActions = [.addHeaders, .changeHeaders]
            if settings.milterQuarantine { wanted.insert(.quarantine) }
            do {
                let negotiation = try MilterNegotiation(offeredVersion: version, offeredActions: actions, offeredSteps: steps,
                                                        neededActions: wanted, unneededReplies: unansweredCommands)
                negotiatedSteps = negotiation.steps
                if !negotiation.missingActions.isEmpty {
                    logLines.append("MTA does not allow actions \(negotiation.missingActions.rawValue); those changes will be skipped")
                }
                return [negotiation.response]
            } catch {
                logLines.append("option negotiation refused: \(error)")
                finished = true
                return []
            }
        case .defineMacros(_, let macros):
            for macro in macros {
                var name = macro.name
                if name.hasPrefix("{") && name.hasSuffix("}") { name = String(name.dropFirst().dropLast()) }
                session.macros[name] = macro.value
            }
            return []
        case .connect(let hostname, _, _, let address):
            session.remoteHostname = hostname
            session.rawRemoteIP = address
            session.remoteIP = address
            if let target = settings.remap.target(forIP: address, helo: nil) {
                logLines.append("remapped connection \(address) > \(target.ip)")
                session.remoteIP = target.ip
            }
            session.count(.connect)
            return run(stage: "connect", timeout: settings.connectTimeout) { h in try h.connect(session) }
        case .helo(let host):
            // Only the first HELO/EHLO of a connection counts (Perl keeps
            // the first; a client repeating EHLO after STARTTLS must not
            // rerun the checks).
            guard session.rawHeloHost.isEmpty else { return [.continue] }
            session.rawHeloHost = host
            session.heloHost = host
            // Milter mode remaps by HELO here, after the connect handlers
            // ran with the connect-time mapping (as the manual says).
            if let target = settings.remap.target(forIP: session.rawRemoteIP, helo: host) {
                if target.ip != session.remoteIP {
                    logLines.append("remapped connection \(session.remoteIP) > \(target.ip) by HELO \(host)")
                    session.remoteIP = target.ip
                }
                if let helo = target.helo {
                    logLines.append("remapped HELO \(host) > \(helo)")
                    session.heloHost = helo
                }
            }
            // Handlers see the HELO name after helo_map, as in Perl.
            let remapped = session.heloHost
            return run(stage: "helo", timeout: settings.commandTimeout) { h in try h.helo(session, host: remapped) }
        case .mailFrom(let arguments):
            resetMessage()
            let address = arguments.first ?? ""
            session.envelopeFrom = address
            return run(stage: "envfrom", timeout: settings.commandTimeout) { h in try h.envelopeFrom(session, address: address) }
        case .rcptTo(let arguments):
            let address = arguments.first ?? ""
            session.envelopeRecipients.append(address)
            return run(stage: "envrcpt", timeout: settings.commandTimeout) { h in try h.envelopeRecipient(session, address: address) }
        case .data:
            return [.continue]
        case .unknown:
            return [.continue]
        case .header(let name, let value):
            if session.currentRawHeader == nil { session.currentRawHeader = (Array(name.utf8), Array(value.utf8)) }
            session.currentHeaderName = name
            defer {
                session.currentRawHeader = nil
                session.currentHeaderName = nil
            }
            return run(stage: "header", timeout: settings.contentTimeout) { h in try h.header(session, name: name, value: value) }
        case .endOfHeaders:
            defer { session.writePendingLogLines() }
            return run(stage: "eoh", timeout: settings.contentTimeout) { h in try h.endOfHeaders(session) }
        case .body(let chunk):
            return run(stage: "body", timeout: settings.contentTimeout) { h in try h.body(session, chunk: chunk[...]) }
        case .endOfMessage(let chunk):
            if !chunk.isEmpty {
                let replies = run(stage: "body", timeout: settings.contentTimeout) { h in try h.body(session, chunk: chunk[...]) }
                if replies != [.continue] { session.messageFinished(); resetMessage(); return replies }
            }
            let replies = endOfMessage()
            countProcessed(replies)
            session.messageFinished()
            resetMessage()
            return replies
        case .abort:
            resetMessage()
            return []
        case .quit:
            closeConnection()
            finished = true
            return []
        case .quitNewConnection:
            closeConnection()
            return []
        }
    }

    /// The stage a command runs its handlers in and that stage's configured
    /// limit, for the worker's hard deadline (`StageAlarm`); nil when the
    /// command runs no handler or its stage has no limit.
    public func stageLimit(for command: MilterCommand) -> (stage: String, seconds: Double)? {
        let limit: (String, Double)
        switch command {
        case .connect: limit = ("connect", settings.connectTimeout)
        case .helo: limit = ("helo", settings.commandTimeout)
        case .mailFrom: limit = ("envfrom", settings.commandTimeout)
        case .rcptTo: limit = ("envrcpt", settings.commandTimeout)
        case .header: limit = ("header", settings.contentTimeout)
        case .endOfHeaders: limit = ("eoh", settings.contentTimeout)
        case .body: limit = ("body", settings.contentTimeout)
        case .endOfMessage: limit = ("eom", settings.contentTimeout)
        case .optionNegotiation, .defineMacros, .data, .unknown, .abort, .quit, .quitNewConnection: return nil
        }
        return limit.1 > 0 ? limit : nil
    }

    /// What the MTA is told when a stage is cut at its deadline, prepared
    /// before the stage starts: the tempfail of a handler error where
    /// `tempfail_on_error*` says so (the Perl program treats a timeout as
    /// an error), otherwise accept, since the worker that was cut cannot go
    /// on with the connection (the message passes without this milter's
    /// headers, as when the Perl program's alarm fires at end of message).
    /// True: a tempfail; false: accept.
    public var stageTimeoutTempfails: Bool {
        errorsTempfail && !settings.dryrun
    }

    /// The message is over (ended, aborted or replaced): handlers forget it.
    func resetMessage() {
        heldReply = nil
        for handler in handlers { handler.abort(session) }
        session.resetMessage()
    }

    func closeConnection() {
        resetMessage()
        heldConnectionReply = nil
        for handler in handlers { handler.close(session) }
        session.isAuthenticated = false
        session.isLocalIP = false
        session.isTrustedIP = false
        session.macros = [:]
        session.heloHost = ""
        session.rawHeloHost = ""
        session.connectionEnded()
    }

    /// Whether a handler error tempfails, by the Perl program's precedence:
    /// authenticated, then local, then trusted, then the general key.
    var errorsTempfail: Bool {
        if session.isAuthenticated { return settings.tempfailOnErrorAuthenticated }
        if session.isLocalIP { return settings.tempfailOnErrorLocal }
        if session.isTrustedIP { return settings.tempfailOnErrorTrusted }
        return settings.tempfailOnError
    }

    /// Calls every handler for one stage; a throw is a handler error, and
    /// so is the stage as a whole overrunning its timeout (the Perl program
    /// arms one alarm per stage, not per handler).
    func run(stage: String, timeout: Double, _ call: (any Handler) throws -> Void) -> [MilterResponse] {
        // Perl's debug line per callback (`CALLBACK: Connect`), for the
        // error mail's trace; written only when a trace is kept.
        if session.keepsTrace { session.log(.debug, key: "CALLBACK", Self.perlCallbackName(stage)) }
        var failed = false
        let started = clock()
        // With metrics: the time of each handler (Perl's
        // time_microseconds_total) and of the stage (our histogram).
        let tally = session.metrics
        let callback = tally == nil ? nil : MetricCallback(stage: stage)
        var handlerStarted = started
        for (index, (handler, authHeaderName)) in zip(handlers, authHeaderNameOfHandler).enumerated() {
            session.currentAuthResultsHeaderName = authHeaderName
            defer { session.currentAuthResultsHeaderName = nil }
            do {
                try call(handler)
            } catch {
                failed = true
                let text = "\(type(of: handler).name) \(stage) callback error: \(error)"
                logLines.append(text)
                session.recordUnexpectedError(text, isTimeout: false)
            }
            if let tally, let callback {
                let now = clock()
                tally.addHandlerTime(callback, handler: index, microseconds: Self.microseconds(now - handlerStarted))
                handlerStarted = now
            }
        }
        let elapsed = clock() - started
        if let tally, let callback { tally.observe(callback, microseconds: Self.microseconds(elapsed)) }
        if timeout > 0 && elapsed > timeout {
            failed = true
            let text = "\(stage) callbacks timed out after \(elapsed)s (limit \(timeout)s)"
            logLines.append(text)
            session.recordUnexpectedError(text, isTimeout: true)
        }
        if failed { session.count(.callbackError, [stage]) }
        // A handler's reject or defer outranks the tempfail of an error.
        if let reply = verdictReply(stage: stage) { return reply }
        if failed && errorsTempfail {
            if settings.dryrun {
                logLines.append("dryrun: would tempfail at \(stage) after a handler error")
            } else {
                // A bare tempfail, as the Perl program sends: the MTA answers
                // with its own text (Postfix: `451 4.7.1 Service unavailable
                // - try again later`).
                return [.tempfail]
            }
        }
        return [.continue]
    }

    /// Perl's name of a stage in its `CALLBACK` debug lines.
    static func perlCallbackName(_ stage: String) -> String {
        switch stage {
        case "envfrom": "EnvFrom"
        case "envrcpt": "EnvRcpt"
        case "eoh", "eom": stage.uppercased()
        default: stage.prefix(1).uppercased() + stage.dropFirst()
        }
    }

    static func microseconds(_ seconds: Double) -> UInt64 {
        seconds > 0 ? UInt64(min(seconds, 1e9) * 1_000_000) : 0
    }

    /// Perl's `mail_processed_total{result}` from the reply at end of
    /// message: accepted, rejected, deferred or quarantined.
    func countProcessed(_ replies: [MilterResponse]) {
        guard session.metrics != nil else { return }
        var result = "accepted"
        for reply in replies {
            switch reply {
            case .replyCode(let text): result = text.hasPrefix("5") ? "rejected" : "deferred"
            case .reject: result = "rejected"
            case .tempfail: result = "deferred"
            case .quarantine: result = "quarantined"
            default: break
            }
        }
        session.count(.mailProcessed, [result])
    }

    /// A pending reject or defer, sent once: like the Perl program, the
    /// wish is cleared when replied, so a reject of one recipient does not
    /// reject the next one or the message.
    func verdictReply(stage: String) -> [MilterResponse]? {
        let text: String
        switch session.verdict {
        case .none, .quarantine:
            return nil
        case .reject(let wanted):
            text = SMTPReplyText.valid(wanted, class: 5) ? wanted : "550 5.0.0 Message rejected"
        case .tempfail(let wanted):
            text = SMTPReplyText.valid(wanted, class: 4) ? wanted : "450 4.0.0 Message deferred"
        }
        session.clearRejection()
        if settings.dryrun {
            logLines.append("dryrun: would reply '\(text)' at \(stage)")
            return nil
        }
        return [.replyCode(text)]
    }

    func endOfMessage() -> [MilterResponse] {
        let stageReplies = run(stage: "eom", timeout: settings.contentTimeout) { h in try h.endOfMessage(session) }
        if stageReplies != [.continue] {
            return stageReplies
        }
        var replies: [MilterResponse] = []
        let authservID = AuthenticationResultsHeader.authservID(configured: settings.authservID, macroJ: session.macro("j"),
                                                                macroRcptHost: session.macro("rcpt_host"), hostname: settings.hostname)
        // Sorted as the Perl program sorts them before rendering
        // (AuthResultsSort: each key rendered at most once, and only when
        // `method=result` does not decide).
        let allEntries = session.connectionAuthResults + session.authResults
        let entries = AuthResultsSort.sorted(allEntries)
        // ARC seals every entry (Perl cannot split ARC-Authentication-Results).
        let header = AuthenticationResultsHeader(authservID: authservID, entries: entries)
        // auth_header_name: entries grouped by the header their handler
        // names; the standard header keeps the rest.
        let names = session.connectionAuthResultHeaderNames + session.authResultHeaderNames
        var groups: [AuthResultsHeaderName: [AuthResultsEntry]] = [:]
        for (index, entry) in allEntries.enumerated() {
            let name = index < names.count ? names[index] ?? .standard : .standard
            groups[name, default: []].append(entry)
        }
        // Every top header goes in at index 1, as the Perl program inserts
        // them: handlers' prepended headers first (so they end up in
        // reverse order), then Authentication-Results above them, then the
        // quarantine note above everything.
        var additions: [MilterResponse] = []
        // What goes in the per-message log: the headers as added.
        var logged: [ARexLine.Header] = []
        // Deletions first, highest occurrence first per name, so the
        // indexes still name the headers the handler saw.
        for removal in session.removedHeaders.sorted(by: { ($0.name.lowercased(), $1.occurrence) < ($1.name.lowercased(), $0.occurrence) }) {
            additions.append(.changeHeader(index: removal.occurrence, name: removal.name, value: ""))
        }
        for extra in session.prependedHeaders {
            additions.append(.insertHeader(index: 1, name: extra.name, value: extra.value))
        }
        if groups.keys.allSatisfy({ $0 == .standard }) {
            if !(settings.hideNone && header.isNone) {
                let value = header.value(style: settings.indentStyle, indentBy: settings.indentBy, foldAt: settings.foldAt)
                additions.append(.insertHeader(index: 1, name: "Authentication-Results", value: value))
                logged.append(ARexLine.Header(fieldName: "Authentication-Results", header: header))
            }
        } else {
            // One header per name, in name order, each inserted on top.
            for name in groups.keys.sorted() {
                let group = AuthenticationResultsHeader(authservID: authservID, entries: AuthResultsSort.sorted(groups[name] ?? []))
                let value = group.value(style: settings.indentStyle, indentBy: settings.indentBy, foldAt: settings.foldAt)
                additions.append(.insertHeader(index: 1, name: name.fieldName, value: value))
                logged.append(ARexLine.Header(fieldName: name.fieldName, header: group))
            }
        }
        logMessageResults(logged)
        // Sealers sign what we hand on; their headers go above ours.
        let sealers = handlers.compactMap { $0 as? any SealingHandler }
        if !sealers.isEmpty {
            let unfolded = header.value(style: .none, indentBy: 0, foldAt: 0)
            let entriesText = unfolded.firstIndex(of: ";").map { String(unfolded[unfolded.index(after: $0)...]).trimmingLeadingSpaces() } ?? "none"
            let text = AuthenticationResultsText(entries: entriesText, authservID: authservID)
            for sealer in sealers {
                for field in sealer.seal(session, authservID: authservID, authResults: text).reversed() {
                    additions.append(.insertHeader(index: 1, name: field.name, value: field.value))
                }
            }
        }
        if case .quarantine(let reason) = session.verdict {
            if settings.milterQuarantine {
                additions.append(.quarantine(reason: reason))
            } else {
                additions.append(.insertHeader(index: 1, name: "X-Disposition-Quarantine", value: reason))
            }
        }
        for extra in session.appendedHeaders {
            additions.append(.addHeader(name: extra.name, value: extra.value))
        }
        // Whatever a handler built, no raw control character goes out.
        additions = MilterHeaderGuard.guarded(additions, log: &logLines)
        if settings.dryrun {
            logLines.append("dryrun: \(additions.count) header change(s) not applied")
        } else {
            replies.append(contentsOf: additions)
        }
        replies.append(.continue)
        return replies
    }
}

extension MilterDispatcher {
    /// Perl's per-message lines at the end of the message: the ARex line
    /// (`extended_log`) and the legacy `A-R:` lines (`legacy_log`), through
    /// the handlers' log (`<queue id>: <key>: <value>`), so they reach the
    /// master on the worker's stderr as every other line does.
    func logMessageResults(_ headers: [ARexLine.Header]) {
        guard !headers.isEmpty else { return }
        let queueID = session.macro("i").flatMap { $0.isEmpty ? nil : $0 } ?? "--"
        if settings.legacyLog {
            for item in headers {
                session.log(.info, key: LegacyLogLine.key, LegacyLogLine.value(fieldName: item.fieldName, header: item.header))
            }
        }
        if settings.extendedLog {
            session.log(.info, key: ARexLine.key, ARexLine(queueID: queueID, headers: headers).json)
        }
    }
}

extension String {
    func trimmingLeadingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }))
    }
}

extension MilterCommand {
    /// DATA, unknown commands, headers, end of headers, body, end of
    /// message: the commands of one message's content.
    var isContentStage: Bool {
        switch self {
        case .data, .unknown, .header, .endOfHeaders, .body, .endOfMessage: true
        default: false
        }
    }

    /// HELO and every command of a message: what a refusal held from
    /// connect or HELO answers (or silences) for the rest of a connection.
    var isMessageStage: Bool {
        switch self {
        case .helo, .mailFrom, .rcptTo: true
        default: isContentStage
        }
    }
}
