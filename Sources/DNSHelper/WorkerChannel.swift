#if canImport(Glibc)
import Glibc
#endif
import Shared

/// The helper's side of one worker's socketpair: buffered input (queries)
/// and output (answers), never blocking (MSG_DONTWAIT), and a count of the
/// worker's queries still in progress (bounded).
final class WorkerChannel {
    /// Output beyond this means the worker stopped reading: drop it.
    static let maximumOutput = 16 << 20

    let id: UInt64
    let fd: Int32
    let label: String
    var inFlight = 0
    /// Queries only, each within its limit: the buffer never holds more
    /// than one query frame, whatever the worker announces.
    private var input = IPCInbox(receiving: WorkerToDNSHelper.self)
    private var output: [UInt8] = []
    private var outputOffset = 0

    init(id: UInt64, fd: Int32, label: String) {
        self.id = id
        self.fd = fd
        self.label = label
    }

    deinit { close(fd) }

    var wantsToWrite: Bool { outputOffset < output.count }

    enum ReadResult { case frames([IPCFrame]), closed(String) }

    /// Reads what is there and returns the complete frames. recv, not
    /// recvmsg: a descriptor a worker passes is discarded by the kernel.
    func read(into chunk: inout [UInt8]) -> ReadResult {
        var frames: [IPCFrame] = []
        while true {
            let capacity = min(chunk.count, input.readCapacity)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, capacity, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                do {
                    try input.append(chunk[0..<n])
                    while let message = try input.next(WorkerToDNSHelper.self) {
                        frames.append(IPCFrame(message.kind, payload: message.payload))
                    }
                } catch {
                    return .closed("\(error)")
                }
                if n < capacity { break }
                continue
            }
            if n == 0 { return .closed("closed by the worker") }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { break }
            return .closed(String(cString: strerror(errno)))
        }
        return .frames(frames)
    }

    /// Queues a frame and writes what the socket takes now. False when the
    /// channel must be dropped (write error, or the worker stopped reading).
    func send(_ frame: IPCFrame) -> Bool {
        output.append(contentsOf: frame.encoded())
        guard output.count - outputOffset <= Self.maximumOutput else { return false }
        return flush()
    }

    func flush() -> Bool {
        while outputOffset < output.count {
            let n = output.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + outputOffset, raw.count - outputOffset, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
            }
            if n > 0 { outputOffset += n; continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            return false
        }
        if outputOffset == output.count {
            output.removeAll(keepingCapacity: output.count < 1 << 20)
            outputOffset = 0
        } else if outputOffset > 1 << 20 {
            output.removeFirst(outputOffset)
            outputOffset = 0
        }
        return true
    }
}
