/// The one error of the DMARCReports module (the report store, the spool's
/// journal, the send lock, the stub resolver, the rua checks, the SMTP
/// client and the report commands' arguments). `code` is what a program
/// or a test matches; `reason` is the explanation in words.
///
/// An SMTP failure also says where in the transaction it failed (`stage`),
/// the server's reply when there was one, and whether trying again later is
/// pointless (`isPermanent`); its description is `SMTP <stage>: <reason>`.
public struct ReportError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// The report store's database refused a statement or a connection.
        case database
        /// `report_store` names no usable store.
        case storeLocation = "store-location"
        /// The spool's journal could not be opened, written or read.
        case journal
        /// Another `dmarc_send_reports` holds the send lock.
        case sendLocked = "send-locked"
        /// The stub resolver could not be set up or read an answer.
        case resolver
        /// A rua destination that is not sent to.
        case destinationRefused = "destination-refused"
        /// An SMTP transaction failed (`stage`, `reply`, `isPermanent`).
        case smtp
        /// A report command's arguments.
        case usage
    }

    public var code: Code
    public var reason: String
    /// For `.smtp`: where in the transaction it failed.
    public var stage: SMTPStage?
    /// For `.smtp`: the server's reply when the error is one (for a
    /// refusal of every recipient: the last refusal; `reason` lists them all).
    public var reply: SMTPClient.Reply?
    /// Whether sending again later is pointless: a 5xx reply or an address
    /// this client refuses. Timeouts, connection failures and 4xx replies
    /// are worth another try.
    public var isPermanent: Bool

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
        self.stage = nil
        self.reply = nil
        self.isPermanent = false
    }

    /// A failed SMTP transaction: the stage it failed at and either the
    /// server's reply (any 4xx/5xx, or a reply that makes no sense at that
    /// stage) or what went wrong locally (connect, timeout, closed
    /// connection, malformed or over-long reply, unusable address).
    public init(stage: SMTPStage, reply: SMTPClient.Reply? = nil, detail: String, isPermanent: Bool = false) {
        self.code = .smtp
        self.reason = detail
        self.stage = stage
        self.reply = reply
        self.isPermanent = isPermanent
    }

    /// The reply as text ("550 5.1.1 unknown user"), or the local reason.
    public var detail: String { reason }

    public var description: String {
        guard code == .smtp, let stage else { return reason }
        return "SMTP \(stage.rawValue): \(reason)"
    }
}

/// Where in an SMTP transaction it failed.
public enum SMTPStage: String, Sendable, Hashable {
    case connect = "connect"
    case banner = "banner"
    case hello = "EHLO/HELO"
    case mailFrom = "MAIL FROM"
    case recipient = "RCPT TO"
    case data = "DATA"
    case message = "end of message"
}
