
/// The scanner's side of one worker's socketpair (`HelperChannelEnd`:
/// scan requests in, each within `WorkerToScanner`'s limit, results out,
/// never blocking) and the one exchange with spamd in progress for it.
import IPC

final class ScannerChannel {
    /// Output beyond this means the worker stopped reading: drop it.
    static let maximumOutput = 1 << 20

    let id: UInt64
    /// The scan in progress: its id, the connection to spamd, its deadline.
    var pending: (scanID: UInt32, exchange: SpamdExchange, deadline: Double)?
    let end: HelperChannelEnd<WorkerToScanner>

    init(id: UInt64, fd: Int32) {
        self.id = id
        end = HelperChannelEnd(fd: fd, maximumOutput: Self.maximumOutput)
    }

    enum ReadResult { case messages([ScanIPCMessage]), closed(String) }

    /// Reads what is there and returns the complete requests, decoded.
    func read(into chunk: inout [UInt8]) -> ReadResult {
        switch end.read(into: &chunk) {
        case .closed(let why):
            return .closed(why)
        case .messages(let messages):
            do {
                return .messages(try messages.map { try ScanIPCMessage(frame: IPCFrame($0.kind, payload: $0.payload)) })
            } catch {
                return .closed("\(error)")
            }
        }
    }
}
