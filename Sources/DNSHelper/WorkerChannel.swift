
/// The helper's side of one worker's socketpair (`HelperChannelEnd`:
/// queries in, answers out, never blocking) and a count of the worker's
/// queries still in progress (bounded).
import IPC

final class WorkerChannel {
    /// Output beyond this means the worker stopped reading: drop it.
    static let maximumOutput = 16 << 20

    let id: UInt64
    let label: String
    var inFlight = 0
    /// Queries only, each within its limit.
    private let end: HelperChannelEnd<WorkerToDNSHelper>

    init(id: UInt64, fd: Int32, label: String) {
        self.id = id
        self.label = label
        end = HelperChannelEnd(fd: fd, maximumOutput: Self.maximumOutput)
    }

    var fd: Int32 { end.fd }
    var wantsToWrite: Bool { end.wantsToWrite }

    enum ReadResult { case frames([IPCFrame]), closed(String) }

    /// Reads what is there and returns the complete frames.
    func read(into chunk: inout [UInt8]) -> ReadResult {
        switch end.read(into: &chunk) {
        case .messages(let messages): return .frames(messages.map { IPCFrame($0.kind, payload: $0.payload) })
        case .closed(let why): return .closed(why)
        }
    }

    /// Queues a frame and writes what the socket takes now. False when the
    /// channel must be dropped (write error, or the worker stopped reading).
    func send(_ frame: IPCFrame) -> Bool { end.send(frame) }

    func flush() -> Bool { end.flush() }
}
