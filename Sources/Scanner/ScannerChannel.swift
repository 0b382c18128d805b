#if canImport(Glibc)
import Glibc
#endif
import Shared

/// The scanner's side of one worker's socketpair: scan requests in (each
/// within `WorkerToScanner`'s limit: the buffer never holds more than one
/// request), results out, never blocking (MSG_DONTWAIT), and the one
/// exchange with spamd in progress for it.
final class ScannerChannel {
    /// Output beyond this means the worker stopped reading: drop it.
    static let maximumOutput = 1 << 20

    let id: UInt64
    let fd: Int32
    /// The scan in progress: its id, the connection to spamd, its deadline.
    var pending: (scanID: UInt32, exchange: SpamdExchange, deadline: Double)?
    private var input = IPCInbox(receiving: WorkerToScanner.self)
    private var output: [UInt8] = []
    private var outputOffset = 0

    init(id: UInt64, fd: Int32) {
        self.id = id
        self.fd = fd
    }

    deinit { close(fd) }

    var wantsToWrite: Bool { outputOffset < output.count }

    enum ReadResult { case messages([ScanIPCMessage]), closed(String) }

    /// Reads what is there and returns the complete requests. recv, not
    /// recvmsg: a descriptor a worker passes is discarded by the kernel.
    func read(into chunk: inout [UInt8]) -> ReadResult {
        var messages: [ScanIPCMessage] = []
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
            guard n > 0 else { return .closed("closed by the worker") }
            do {
                try input.append(chunk[0..<n])
                while let message = try input.next(WorkerToScanner.self) {
                    messages.append(try ScanIPCMessage(frame: IPCFrame(message.kind, payload: message.payload)))
                }
            } catch {
                return .closed("\(error)")
            }
            if n < capacity { break }
        }
        return .messages(messages)
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
            outputOffset += try SystemCall.sendAll(socket: fd, bytes: output, from: outputOffset, flags: Int32(MSG_DONTWAIT), whenFull: .stop)
        } catch {
            return false
        }
        if outputOffset == output.count {
            output.removeAll(keepingCapacity: output.count < 1 << 16)
            outputOffset = 0
        }
        return true
    }
}
