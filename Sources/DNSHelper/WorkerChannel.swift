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
    private var input: [UInt8] = []
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

    /// Reads what is there and returns the complete frames.
    func read(into chunk: inout [UInt8]) -> ReadResult {
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                input.append(contentsOf: chunk[0..<n])
                if n < chunk.count { break }
                continue
            }
            if n == 0 { return .closed("closed by the worker") }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { break }
            return .closed(String(cString: strerror(errno)))
        }
        var frames: [IPCFrame] = []
        do {
            while let frame = try IPCFrame.decode(from: &input) { frames.append(frame) }
        } catch {
            return .closed("malformed frame (\(error))")
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
