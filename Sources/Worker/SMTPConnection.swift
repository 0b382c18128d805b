#if canImport(Glibc)
import Glibc
#endif
import Config
import Handlers
import IPC
import MailAuth
import Milter
import ProcessLog
import SMTP
import SystemIO

/// One MTA connection in SMTP mode (`"protocol": "smtp"`): the Perl
/// milter's SMTP/LMTP server (Protocol/SMTP.pm) in front of the same
/// dispatcher and handlers as milter mode. Each transaction is fed to the
/// dispatcher as the milter commands Postfix would send (connect, HELO,
/// MAIL at MAIL FROM:, with the XFORWARD facts), the body goes to the
/// worker's spool file, and at the end of DATA the message, with the
/// handlers' header changes and our Received field on top, is relayed to
/// `smtp.sock_*`. The client hears `250` only after the downstream MTA
/// said `250`; any failure of ours is a 4xx, so the MTA keeps the mail.
final class SMTPConnection {
    let socket: Int32
    let listener: String
    let worker: WorkerProcess
    let settings: SMTPSettings
    let spool: SMTPBodySpool
    var state: SMTPServerState
    let dispatcher: MilterDispatcher
    var lines = SMTPLineBuffer(limit: SMTPCommandLine.maximumBytes)
    var relay: SMTPRelayClient?
    /// The MTA that connected to us (not the XFORWARD client).
    let peer: (address: String, name: String)
    var queueID = SMTPQueueID(random: 0)
    /// The handlers accepted the transaction early (milter `accept`): the
    /// rest of it runs no handler and the message is relayed unchanged.
    var handlersDone = false
    var chunk = [UInt8](repeating: 0, count: 65536)
    var closed = false

    /// The largest header section taken (the body is streamed).
    static let maximumHeaderBytes = 1 << 20

    init(socket: Int32, listener: String, worker: WorkerProcess, spool: SMTPBodySpool) {
        self.socket = socket
        self.listener = listener
        self.worker = worker
        self.spool = spool
        let configuration = worker.configuration
        let listenerSpec = try? ConnectionSpec(parsing: listener)
        settings = listenerSpec.map { configuration.smtp.settings(for: $0) } ?? configuration.smtp.defaults
        state = SMTPServerState(settings: SMTPServerSettings(
            serverName: settings.serverName, acceptsUpstreamIdent: settings.queueType == .after,
            pipelineLimit: settings.pipelineLimit, maximumMessageBytes: settings.maxMessageSize))
        peer = Self.peerOf(socket)
        let session = worker.makeSession()
        session.servesSMTP = true
        dispatcher = MilterDispatcher(handlers: worker.handlers, session: session, settings: worker.settings, clock: monotonicSeconds)
    }

    /// The peer's address; a unix socket peer is 127.0.0.1 `localhost`,
    /// as in Perl.
    static func peerOf(_ socket: Int32) -> (address: String, name: String) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(socket, $0, &length) == 0 }
        }
        guard ok else { return ("127.0.0.1", "localhost") }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(storage.ss_family) {
        case AF_INET:
            var sa = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self) }
            inet_ntop(AF_INET, &sa.sin_addr, &text, socklen_t(text.count))
        case AF_INET6:
            var sa = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self) }
            inet_ntop(AF_INET6, &sa.sin6_addr, &text, socklen_t(text.count))
        default:
            return ("127.0.0.1", "localhost")
        }
        let address = String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (address, address == "127.0.0.1" || address == "::1" ? "localhost" : "[\(address)]")
    }

    // MARK: - The command loop

    func serve() {
        defer {
            endTransaction()
            _ = dispatcher.handle(.quit)
            flushLog()
            relay?.quit()
            relay = nil
            ChildLog.info("SMTP connection on \(listener) ended after \(state.transactionCount) transaction(s)")
        }
        guard reply(state.greeting) else { return }
        while !closed {
            guard let line = readLine() else { return }
            guard let text = SMTPCommandLine.text(line) else {
                guard reply(.badCharacters) else { return }
                continue
            }
            let command = SMTPCommand(line: text)
            let step = state.step(for: command)
            for note in state.takeNotes() { ChildLog.warning("\(note) on \(listener)") }
            switch step {
            case .reply(let answer):
                guard reply(answer) else { return }
            case .close(let answer):
                _ = reply(answer)
                return
            case .endTransaction(let answer):
                endTransaction()
                guard reply(answer) else { return }
            case .endTransactionAndClose(let answer):
                endTransaction()
                _ = reply(answer)
                return
            case .checkMail(let path, let parameters):
                guard reply(checkMail(argument: commandArgument(text, verbLength: 10), path: path, parameters: parameters)) else { return }
            case .checkRecipient(let path, let parameters):
                guard reply(checkRecipient(argument: commandArgument(text, verbLength: 8), path: path, parameters: parameters)) else { return }
            case .receiveMessage:
                guard receiveMessage() else { return }
            }
        }
    }

    /// MAIL FROM:'s or RCPT TO:'s argument as the client wrote it (what
    /// is relayed downstream).
    func commandArgument(_ text: String, verbLength: Int) -> String {
        String(text.dropFirst(verbLength).drop(while: { $0 == " " }))
    }

    /// The next command line; nil when the client went away, sent a line
    /// too long to be a command (answered, then closed) or was silent for
    /// `timeout_in`.
    func readLine() -> ArraySlice<UInt8>? {
        while true {
            do {
                if let line = try lines.nextLine() { return line }
            } catch {
                _ = reply(.lineTooLong)
                return nil
            }
            guard readMore(into: { lines.append($0) }) else { return nil }
        }
    }

    /// Reads what the client sent within `timeout_in` into `sink`; false at
    /// the end of the connection, an error or the timeout (answered 421).
    func readMore(into sink: (ArraySlice<UInt8>) -> Void) -> Bool {
        var p = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
        let deadline = monotonicSeconds() + settings.timeoutIn
        while true {
            guard let ready = try? SystemCall.poll(&p, deadline: deadline) else { return false }
            if ready > 0 { break }
            if monotonicSeconds() >= deadline {
                ChildLog.warning("SMTP client on \(listener) silent for \(Int(settings.timeoutIn))s; closing connection")
                _ = reply(.timeout)
                return false
            }
        }
        let n: Int
        do {
            n = try SystemCall.readSome(fd: socket, into: &chunk)
        } catch where error.wouldBlock {
            return true
        } catch {
            ChildLog.warning("SMTP connection read error on \(listener): \(error.reason)")
            return false
        }
        if n == 0 { return false }
        sink(chunk[..<n])
        return true
    }

    /// Sends a reply; false when the client cannot take it.
    @discardableResult
    func reply(_ answer: SMTPReply, times: Int = 1) -> Bool {
        var bytes: [UInt8] = []
        for _ in 0..<times { bytes += answer.encoded }
        return send(bytes)
    }

    func send(_ bytes: [UInt8]) -> Bool {
        do {
            try SystemCall.sendAll(socket: socket, bytes: bytes, flags: Int32(MSG_DONTWAIT),
                                   whenFull: .waitPerStall(seconds: settings.timeoutIn))
            return true
        } catch {
            ChildLog.warning("SMTP connection write error on \(listener): \(error.reason)")
            closed = true
            return false
        }
    }

    func flushLog() {
        for line in dispatcher.drainLog() { ChildLog.warning(line) }
    }

    // MARK: - Handlers

    /// Runs one dispatcher stage under the worker's hard stage deadline:
    /// past it the client gets a 451 and the worker exits (the MTA keeps
    /// the mail).
    func run(_ command: MilterCommand) -> [MilterResponse] {
        let limit = dispatcher.stageLimit(for: command)
        if let limit {
            worker.prepareStageReport(stage: limit.stage, seconds: limit.seconds, session: dispatcher.session, listener: listener)
            StageAlarm.arm(socket: socket, stage: limit.stage, seconds: limit.seconds,
                           reply: SMTPReply(451, "4.4.2 Timeout in \(limit.stage) checks; try again later").encoded,
                           action: "deferred", listener: listener)
        }
        let replies = dispatcher.handle(command)
        if limit != nil { StageAlarm.disarm() }
        flushLog()
        return replies
    }

    /// A stage's refusal as an SMTP reply, nil when the stage went on.
    /// `accept` ends the handlers' part of the transaction (`handlersDone`).
    func refusal(_ replies: [MilterResponse], otherwise fallback: SMTPReply) -> SMTPReply? {
        for response in replies {
            switch response {
            case .replyCode(let text):
                return SMTPReply(handlerReply: text) ?? fallback
            case .reject, .tempfail, .discard:
                return fallback
            case .accept:
                handlersDone = true
            default:
                continue
            }
        }
        return nil
    }

    /// MAIL FROM: starts a transaction: the connect, HELO and MAIL stages
    /// run now, with XFORWARD's client when the MTA sent one, as in Perl.
    func checkMail(argument: String, path: String, parameters: [String]) -> SMTPReply {
        if state.announcedSizeTooLarge(parameters) { return .messageTooBig }
        handlersDone = false
        let forwarded = state.xforward
        queueID = SMTPQueueID(random: UInt64.random(in: 0...UInt64.max), upstream: state.settings.acceptsUpstreamIdent ? forwarded.upstreamIdent : nil)
        let address = forwarded.clientAddress ?? peer.address
        let name = forwarded.clientName ?? (forwarded.clientAddress != nil ? "[\(address)]" : peer.name)
        let helo = forwarded.clientHelo ?? state.heloHost
        _ = run(.defineMacros(forCommand: UInt8(ascii: "C"), macros: [
            MilterMacro(name: "j", value: settings.serverName),
            MilterMacro(name: "{rcpt_host}", value: settings.serverName),
            MilterMacro(name: "i", value: queueID.description),
        ]))
        let family: MilterAddressFamily = address.contains(":") ? .inet6 : .inet
        if let refused = refusal(run(.connect(hostname: name, family: family, port: 0, address: address)),
                                 otherwise: SMTPReply(451, "4.0.2 Connection - That's not right")) {
            endTransaction()
            return refused
        }
        if !handlersDone, let refused = refusal(run(.helo(helo)), otherwise: SMTPReply(451, "4.0.1 HELO - That's not right")) {
            endTransaction()
            return refused
        }
        if !handlersDone, let refused = refusal(run(.mailFrom([path] + parameters)), otherwise: SMTPReply(451, "4.0.0 MAIL - That's not right")) {
            endTransaction()
            return refused
        }
        state.mailAccepted(argument: argument)
        return .ok
    }

    func checkRecipient(argument: String, path: String, parameters: [String]) -> SMTPReply {
        if !handlersDone, let refused = refusal(run(.rcptTo([path] + parameters)), otherwise: SMTPReply(451, "4.0.3 That's not right")) {
            return refused
        }
        state.recipientAccepted(argument)
        return .ok
    }

    /// The handlers forget the transaction (end of DATA, RSET, EHLO).
    func endTransaction() {
        _ = dispatcher.handle(.quitNewConnection)
        flushLog()
        state.transactionFinished()
        spool.reset()
        handlersDone = false
    }

    // MARK: - DATA

    /// 354, the message (headers to the handlers and memory, the body to
    /// the handlers and the spool file), the end-of-message stage, the
    /// relay, and the reply. False when the connection must end.
    func receiveMessage() -> Bool {
        guard reply(.sendBody) else { return false }
        let replyCount = state.dataReplyCount
        let lmtp = state.usesLMTP
        var refusalReply: SMTPReply?
        if !handlersDone { refusalReply = refusal(run(.data), otherwise: SMTPReply(451, lmtp ? "4.0.5 That's not right" : "4.0.6 That's not right")) }
        var decoder = SMTPDataDecoder()
        var header = SMTPHeaderSection(maximumBytes: Self.maximumHeaderBytes)
        var size = 0
        var limitReply: SMTPReply?
        var storeError: String?
        let fallback = SMTPReply(451, lmtp ? "4.0.5 That's not right" : "4.0.6 That's not right")

        func takeBody(_ body: ArraySlice<UInt8>) {
            guard !body.isEmpty, limitReply == nil, storeError == nil else { return }
            do { try spool.append(Array(body)) } catch { storeError = "body spool: \(error.reason)"; return }
            guard refusalReply == nil, !handlersDone else { return }
            var start = body.startIndex
            let step = max(1, min(settings.chunkLimit, 65536))
            while start < body.endIndex && refusalReply == nil && !handlersDone {
                let end = min(start + step, body.endIndex)
                refusalReply = refusal(run(.body(Array(body[start..<end]))), otherwise: fallback)
                start = end
            }
        }
        func takeHeaderSection() {
            guard refusalReply == nil, !handlersDone, limitReply == nil else { return }
            for field in header.fields {
                dispatcher.session.currentRawHeader = (Array(field.nameBytes), Array(field.valueBytes))
                refusalReply = refusal(run(.header(name: field.name, value: field.value)), otherwise: fallback)
                dispatcher.session.currentRawHeader = nil
                if refusalReply != nil || handlersDone { return }
            }
            refusalReply = refusal(run(.endOfHeaders), otherwise: fallback)
        }
        func take(_ input: ArraySlice<UInt8>) -> Int {
            let (content, consumed) = decoder.decode(input)
            size += content.count
            if size > settings.maxMessageSize && limitReply == nil { limitReply = .messageTooBig }
            guard limitReply == nil else { return consumed }
            if !header.isComplete {
                do {
                    let body = try header.append(content[...])
                    if header.isComplete {
                        takeHeaderSection()
                        takeBody(body)
                    }
                } catch {
                    limitReply = .headerTooBig
                }
            } else {
                takeBody(content[...])
            }
            return consumed
        }

        // DATA's content may already be here, pipelined behind DATA.
        var pending = lines.takeRemainder()
        while true {
            if !pending.isEmpty {
                let consumed = take(pending[...])
                if decoder.isFinished {
                    lines.append(pending[consumed...])
                    break
                }
                pending = []
            }
            var received: [UInt8] = []
            guard readMore(into: { received = Array($0) }) else {
                ChildLog.warning("SMTP client on \(listener) went away during DATA; transaction \(queueID) dropped")
                return false
            }
            pending = received
        }
        if limitReply == nil && !header.isComplete {
            header.finish()
            takeHeaderSection()
        }
        if let limitReply {
            ChildLog.warning("message \(queueID) refused: \(limitReply.lastLine)")
            endTransaction()
            return reply(limitReply, times: replyCount)
        }
        if let storeError {
            ChildLog.error("message \(queueID) deferred: \(storeError)")
            endTransaction()
            return reply(SMTPReply(451, "4.3.0 Local error in processing"), times: replyCount)
        }
        var edits: [SMTPHeaderEdit] = []
        if refusalReply == nil && !handlersDone {
            let replies = run(.endOfMessage([]))
            refusalReply = refusal(replies, otherwise: fallback)
            edits = Self.headerEdits(replies)
        }
        if let refusalReply {
            ChildLog.info("message \(queueID) refused by the handlers: \(refusalReply.lastLine)")
            endTransaction()
            return reply(refusalReply, times: replyCount)
        }
        var fields = header.fields
        SMTPHeaderEdit.apply(edits, to: &fields)
        let received = SMTPReceivedHeader.value(helo: state.heloHost, clientName: peer.name, clientAddress: peer.address,
                                                serverName: settings.serverName, queueID: queueID,
                                                date: RFC5322Date.text(Int64(time(nil))))
        fields.insert(SMTPHeaderField(name: "Received", value: received), at: 0)
        let outcome = relayMessage(fields)
        endTransaction()
        return reply(outcome, times: replyCount)
    }

    /// The end-of-message replies that change the header. `quarantine`
    /// (with `milter_quarantine`) has no SMTP form: it becomes the header
    /// the dispatcher writes otherwise.
    static func headerEdits(_ replies: [MilterResponse]) -> [SMTPHeaderEdit] {
        replies.compactMap { response in
            switch response {
            case .insertHeader(let index, let name, let value): .insert(index: Int(index), name: name, value: value)
            case .addHeader(let name, let value): .add(name: name, value: value)
            case .changeHeader(let index, let name, let value): .change(index: Int(index), name: name, value: value)
            case .quarantine(let reason): .insert(index: 1, name: "X-Disposition-Quarantine", value: reason)
            default: nil
            }
        }
    }

    // MARK: - Relay

    /// Hands the message to the downstream MTA; the reply for our client.
    func relayMessage(_ fields: [SMTPHeaderField]) -> SMTPReply {
        do {
            let client = try relayClient()
            var envelope: [(line: String, expect: Int)] = []
            if client.offersXForward, let replay = state.xforward.replayCommand { envelope.append((replay, 250)) }
            envelope.append(("MAIL FROM:" + (state.mailArgument ?? "<>"), 250))
            for recipient in state.recipients { envelope.append(("RCPT TO:" + recipient, 250)) }
            envelope.append(("DATA", 354))
            try client.commands(envelope)
            var stuffer = SMTPDotStuffer()
            var head: [UInt8] = []
            for field in fields {
                head += field.raw
                head += [0x0D, 0x0A]
            }
            head += [0x0D, 0x0A]
            try client.send(stuffer.stuff(head))
            try spool.readBack { piece in try client.send(stuffer.stuff(piece)) }
            try client.send(stuffer.terminator)
            let final = try client.readReply(after: ".")
            guard final.code / 100 == 2 else { throw SMTPRelayClient.Failure.refused(final, command: ".") }
            ChildLog.info("message \(queueID) relayed: \(final.lastLine)")
            return SMTPReply(250, "2.0.0 Queued as \(queueID)")
        } catch let failure as SMTPRelayClient.Failure {
            return answer(for: failure)
        } catch {
            relay = nil
            ChildLog.error("message \(queueID) deferred: body spool: \(error)")
            return SMTPReply(451, "4.0.4 That's not right: local error")
        }
    }

    /// The downstream connection: the open one after RSET, or a new one
    /// from the master.
    func relayClient() throws(SMTPRelayClient.Failure) -> SMTPRelayClient {
        if let relay, !relay.isBroken {
            do {
                try relay.command("RSET", expect: 250)
                return relay
            } catch {
                // Dropped while idle: a new connection.
                self.relay = nil
            }
        }
        switch worker.requestRelayConnection(listener: listener, timeoutSeconds: settings.timeoutOut) {
        case .success(let fd):
            let client = SMTPRelayClient(fd: fd, timeoutSeconds: settings.timeoutOut)
            relay = client
            try client.greet(as: settings.serverName)
            return client
        case .failure(let reason):
            throw .broken("no connection to the downstream MTA: \(reason.reason)")
        }
    }

    /// A downstream 4xx or 5xx goes back as it came (Perl); anything else
    /// is our 451, so the MTA keeps the mail and tries again.
    func answer(for failure: SMTPRelayClient.Failure) -> SMTPReply {
        switch failure {
        case .refused(let downstream, let command):
            ChildLog.warning("message \(queueID): downstream answered \(downstream.lastLine) to \(SMTPRelayClient.verb(command))")
            // After a refused MAIL, RCPT, DATA or end of data the two sides
            // are still in step (RSET comes before the next message); a
            // refused greeting, EHLO or RSET ends the connection.
            let verb = SMTPRelayClient.verb(command).uppercased()
            if ["(CONNECT)", "EHLO", "RSET", "XFORWARD"].contains(verb) { relay = nil }
            if downstream.isTransientFailure || downstream.isPermanentFailure {
                return SMTPReply(code: downstream.code, lines: downstream.lines.isEmpty ? [""] : downstream.lines)
            }
            return SMTPReply(451, "4.0.4 That's not right: \(downstream.lastLine)")
        case .broken(let reason):
            relay = nil
            ChildLog.warning("message \(queueID) deferred: relay failed: \(reason)")
            return SMTPReply(451, "4.0.4 That's not right: \(reason)")
        }
    }
}

