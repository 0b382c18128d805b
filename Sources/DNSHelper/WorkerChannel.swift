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
            let n: Int
            do {
                n = try SystemCall.receiveSome(socket: fd, into: &chunk, limit: capacity, flags: Int32(MSG_DONTWAIT))
            } catch where error.wouldBlock {
                break
            } catch {
                return .closed(error.reason)
            }
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
            return .closed("closed by the worker")
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
        do {
            // What the socket does not take now waits for POLLOUT.
            outputOffset += try SystemCall.sendAll(socket: fd, bytes: output, from: outputOffset, flags: Int32(MSG_DONTWAIT), whenFull: .stop)
        } catch {
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
