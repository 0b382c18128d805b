/// The inbound side of one SMTP or LMTP connection as a state machine: it
/// answers the commands that need no handler itself and says which need
/// the handlers (MAIL, RCPT, DATA). The Perl milter's sequencing and reply
/// texts, with the RFC 5321 checks it lacks (RCPT before MAIL, DATA
/// without a recipient, a transaction reset by EHLO, NOOP).
public struct SMTPServerState: Sendable {
    /// What the connection does with a command.
    public enum Step: Sendable, Equatable {
        case reply(SMTPReply)
        /// Reply, then close the connection.
        case close(SMTPReply)
        /// Run the connect, HELO and MAIL handlers for this reverse path
        /// (and its parameters), then `mailAccepted` or a refusal.
        case checkMail(path: String, parameters: [String])
        /// Run the RCPT handlers, then `recipientAccepted` or a refusal.
        case checkRecipient(path: String, parameters: [String])
        /// Answer 354 and read the message.
        case receiveMessage
        /// The handlers forget the transaction (RSET, or EHLO in the middle
        /// of one) before the reply is sent.
        case endTransaction(then: SMTPReply)
        /// As `endTransaction`, then close (RSET past the pipeline limit).
        case endTransactionAndClose(SMTPReply)
    }

    public let settings: SMTPServerSettings
    /// The EHLO/HELO/LHLO name of the client of this connection.
    public private(set) var heloHost = ""
    public private(set) var usesLMTP = false
    public private(set) var xforward = SMTPXForward()
    /// The accepted MAIL FROM: argument, as given (parameters included).
    public private(set) var mailArgument: String?
    public private(set) var recipients: [String] = []
    /// Transactions begun (MAIL accepted) on this connection.
    public private(set) var transactionCount = 0
    /// Unused XFORWARD attributes or an IDENT refused in before-queue mode,
    /// for the log.
    public private(set) var notes: [String] = []

    public init(settings: SMTPServerSettings) {
        self.settings = settings
    }

    public var greeting: SMTPReply {
        SMTPReply(220, "\(settings.serverName) ESMTP AuthenticationMilter")
    }

    public var inTransaction: Bool { mailArgument != nil }

    public mutating func step(for command: SMTPCommand) -> Step {
        switch command {
        case .ehlo(let name), .lhlo(let name):
            if case .lhlo = command { usesLMTP = true }
            heloHost = name
            return greeted(extensionsReply)
        case .helo(let name):
            heloHost = name
            return greeted(SMTPReply(250, "\(settings.serverName) Hi \(name)"))
        case .xforward(let text):
            guard !inTransaction else { return .reply(.outOfOrder) }
            var incoming = SMTPXForward()
            incoming.apply(text)
            if incoming.ident != nil && !settings.acceptsUpstreamIdent {
                notes.append("XForward IDENT received in before queue mode: IDENT=\(incoming.ident ?? "")")
                incoming.ident = nil
            }
            if !incoming.others.isEmpty { notes.append("Unknown XForward Entry: \(incoming.others.joined(separator: " "))") }
            if let v = incoming.name { xforward.name = v }
            if let v = incoming.address { xforward.address = v }
            if let v = incoming.helo { xforward.helo = v }
            if let v = incoming.ident { xforward.ident = v }
            return .reply(.ok)
        case .mail(let argument):
            guard !inTransaction else { return .reply(.nestedMail) }
            if let limit = settings.pipelineLimit, transactionCount >= limit {
                return .close(.pipelineLimit)
            }
            let (path, parameters) = SMTPPath.split(argument)
            return .checkMail(path: path, parameters: parameters)
        case .rcpt(let argument):
            guard inTransaction else { return .reply(.outOfOrder) }
            let (path, parameters) = SMTPPath.split(argument)
            return .checkRecipient(path: path, parameters: parameters)
        case .data:
            guard inTransaction else { return .reply(.outOfOrder) }
            guard !recipients.isEmpty else { return .reply(.noRecipients) }
            return .receiveMessage
        case .rset:
            let wasInTransaction = inTransaction
            clearTransaction()
            xforward = SMTPXForward()
            if let limit = settings.pipelineLimit, transactionCount >= limit {
                return .endTransactionAndClose(.pipelineLimit)
            }
            return wasInTransaction ? .endTransaction(then: .ok) : .reply(.ok)
        case .noop:
            return .reply(.ok)
        case .quit:
            return .close(.bye)
        case .unknown:
            return .reply(.unknownCommand)
        }
    }

    /// A greeting in the middle of a transaction resets it (RFC 5321
    /// 4.1.4); the handlers are told to forget it.
    mutating func greeted(_ reply: SMTPReply) -> Step {
        guard inTransaction else { return .reply(reply) }
        transactionFinished()
        return .endTransaction(then: reply)
    }

    /// The EHLO (LHLO) reply: the Perl milter's extensions, then SIZE and
    /// SMTPUTF8.
    var extensionsReply: SMTPReply {
        let xforwardNames = settings.acceptsUpstreamIdent ? "XFORWARD NAME ADDR HELO IDENT" : "XFORWARD NAME ADDR HELO"
        return SMTPReply(code: 250, lines: [settings.serverName, xforwardNames, "PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME",
                                            "SIZE \(settings.maximumMessageBytes)", "SMTPUTF8"])
    }

    /// The handlers accepted the sender: the transaction begins.
    public mutating func mailAccepted(argument: String) {
        mailArgument = argument
        transactionCount += 1
    }

    public mutating func recipientAccepted(_ argument: String) {
        recipients.append(argument)
    }

    /// End of a transaction (after DATA's reply, RSET or EHLO): the
    /// envelope and the XFORWARD facts are forgotten, as Perl forgets
    /// them; the HELO name and the transaction count stay.
    public mutating func transactionFinished() {
        clearTransaction()
        xforward = SMTPXForward()
    }

    mutating func clearTransaction() {
        mailArgument = nil
        recipients = []
    }

    public mutating func takeNotes() -> [String] {
        defer { notes = [] }
        return notes
    }

    /// How many replies DATA's outcome gets: one per accepted recipient
    /// in LMTP, one in SMTP.
    public var dataReplyCount: Int { usesLMTP ? max(recipients.count, 1) : 1 }

    /// The SIZE= parameter of MAIL FROM: when it announces more than we
    /// take, the transaction is refused at once (RFC 1870).
    public func announcedSizeTooLarge(_ parameters: [String]) -> Bool {
        for parameter in parameters where parameter.uppercased().hasPrefix("SIZE=") {
            if let size = Int(parameter.dropFirst(5)), size > settings.maximumMessageBytes { return true }
        }
        return false
    }
}
