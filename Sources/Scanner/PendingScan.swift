import MailAuth
import IPC

/// The scan in progress on one worker channel, whichever content scanner
/// it talks to: the exchange (`ScanExchange<Reply>`, its reply format
/// hidden here so the poll loop handles all of them alike), its deadline,
/// and how its outcome becomes the worker's result frame.
final class PendingScan {
    let scanID: UInt32
    let deadline: Double
    let fd: Int32
    private let events: () -> Int16
    private let advance: (Int16) -> ScanIPCMessage?
    private let expire: () -> ScanIPCMessage

    init<Reply: ScanReplyFormat>(id: UInt32, exchange: ScanExchange<Reply>, deadline: Double,
                                 result: @escaping (UInt32, ScanOutcome<Reply.Verdict>) -> ScanIPCMessage) {
        scanID = id
        self.deadline = deadline
        fd = exchange.fd
        events = { exchange.pollEvents }
        advance = { revents in
            if case .finished(let outcome) = exchange.handle(revents: revents) { return result(id, outcome) }
            return nil
        }
        expire = { result(id, exchange.timedOut()) }
    }

    var pollEvents: Int16 { events() }

    /// The result once the exchange is over, nil while it goes on.
    func handle(revents: Int16) -> ScanIPCMessage? { advance(revents) }

    /// The result when the deadline has passed.
    func timedOut() -> ScanIPCMessage { expire() }
}

extension ScanIPCMessage {
    /// A result as the scanner's debug line shows it.
    var summary: String {
        switch self {
        case .result(_, let outcome): "\(outcome)"
        case .rspamdResult(_, let outcome): "\(outcome)"
        case .clamdResult(_, let outcome): "\(outcome)"
        default: "a request"
        }
    }
}
