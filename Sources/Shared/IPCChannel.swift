#if canImport(Glibc)
import Glibc
#endif
import CShim

/// One end of a socketpair between our processes, carrying IPCFrames and
/// (for connection hand-over) file descriptors. Received descriptors are
/// queued in arrival order; frames whose kind carries one take it with
/// `takeDescriptor()`.
public final class IPCChannel {
    public let fd: Int32
    private var buffer: [UInt8] = []
    private var descriptors: [Int32] = []
    public private(set) var isClosed = false
    /// The largest payload this end accepts (IPCFrame's limit unless set).
    public var maximumFramePayload = IPCFrame.maximumPayload

    public init(fd: Int32) { self.fd = fd }

    deinit {
        for d in descriptors { close(d) }
    }

    /// Sends a whole frame; the descriptor, if any, rides on the first byte.
    /// On a non-blocking socket a full buffer is waited out, for at most
    /// `timeoutSeconds` when given (then false: the peer is not reading).
    @discardableResult
    public func send(_ frame: IPCFrame, descriptor: Int32 = -1, timeoutSeconds: Double? = nil) -> Bool {
        let bytes = frame.encoded()
        var offset = 0
        var attach = descriptor
        let deadline = timeoutSeconds.map { monotonicSeconds() + $0 }
        while offset < bytes.count {
            if let deadline, monotonicSeconds() > deadline { return false }
            let n = bytes.withUnsafeBytes { raw in
                am_send_with_fd(fd, raw.baseAddress! + offset, raw.count - offset, attach)
            }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN {
                    var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&p, 1, 1000)
                    continue
                }
                return false
            }
            offset += n
            attach = -1
        }
        return true
    }

    /// Reads what is available (one recvmsg) into the buffer. Returns false
    /// on EOF or error (the peer is gone).
    @discardableResult
    public func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        var received: Int32 = -1
        let n = chunk.withUnsafeMutableBytes { am_recv_with_fd(fd, $0.baseAddress, $0.count, &received) }
        if received >= 0 { descriptors.append(received) }
        if n > 0 {
            buffer.append(contentsOf: chunk[0..<n])
            return true
        }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return true }
        isClosed = true
        return false
    }

    /// The next complete frame already buffered, if any. A malformed
    /// stream closes the channel (our own processes never send one).
    public func nextFrame() -> IPCFrame? {
        // A peer announcing a frame larger than this channel accepts is
        // cut off before the frame is buffered (the spool's worker
        // channels carry rows of at most a few hundred KiB).
        if buffer.count >= 4 {
            let length = Int(buffer[0]) << 24 | Int(buffer[1]) << 16 | Int(buffer[2]) << 8 | Int(buffer[3])
            if length - 1 > maximumFramePayload {
                isClosed = true
                buffer.removeAll()
                return nil
            }
        }
        do {
            return try IPCFrame.decode(from: &buffer)
        } catch {
            isClosed = true
            buffer.removeAll()
            return nil
        }
    }

    public func takeDescriptor() -> Int32 {
        descriptors.isEmpty ? -1 : descriptors.removeFirst()
    }

    /// Blocks (up to `timeoutMilliseconds`, -1 forever) for one frame.
    public func receive(timeoutMilliseconds: Int32 = -1) -> IPCFrame? {
        while true {
            if let frame = nextFrame() { return frame }
            if isClosed { return nil }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = poll(&p, 1, timeoutMilliseconds)
            if r == 0 { return nil }
            if r < 0 { if errno == EINTR { continue }; return nil }
            if !fill() { return nextFrame() }
        }
    }
}

/// Monotonic seconds, for timeouts and measurements.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
