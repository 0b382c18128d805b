#if canImport(Glibc)
import Glibc
#endif
import CShim

/// One end of a socketpair between our processes, carrying IPCFrames and
/// (for connection and channel hand-over) file descriptors. What arrives
/// is checked by an `IPCInbox` for the direction this end receives: the
/// first violation closes the channel (`violation` says why) and every
/// descriptor not handed out is closed.
public final class IPCChannel {
    public let fd: Int32
    private var inbox: IPCInbox
    public private(set) var isClosed = false
    /// Why the channel was closed, when the peer broke the protocol.
    public private(set) var violation: IPCViolation?
    /// A SOCK_SEQPACKET socket: every frame is one message (`fill` reads
    /// one message, which must be whole frames: `IPCInbox.appendPacket`).
    public let packets: Bool

    /// `receiving` is the direction this end reads (the other end's
    /// sending direction). `packets`: the socket is SOCK_SEQPACKET.
    public init<Incoming: IPCMessageKind>(fd: Int32, receiving: Incoming.Type, packets: Bool = false) {
        self.fd = fd
        self.packets = packets
        inbox = IPCInbox(receiving: Incoming.self)
    }

    /// The direction this end receives, for log lines.
    public var direction: String { inbox.direction }

    deinit {
        for d in inbox.takeUnclaimedDescriptors() { close(d) }
    }

    /// Sends a whole frame; the descriptor, if any, rides on the first byte
    /// (sendmsg with SCM_RIGHTS). Without one it is a plain send, so a
    /// process that never passes descriptors needs no sendmsg in its
    /// seccomp filter. On a non-blocking socket a full buffer is waited
    /// out, for at most `timeoutSeconds` when given (then false: the peer
    /// is not reading).
    @discardableResult
    public func send(_ kind: some IPCMessageKind, payload: [UInt8] = [], descriptor: Int32 = -1, timeoutSeconds: Double? = nil) -> Bool {
        sendFrame(IPCFrame(kind, payload: payload), descriptor: descriptor, timeoutSeconds: timeoutSeconds)
    }

    /// Sends a frame of any kind byte: the typed `send` for our messages,
    /// this for tests that play a broken peer.
    @discardableResult
    public func sendFrame(_ frame: IPCFrame, descriptor: Int32 = -1, timeoutSeconds: Double? = nil) -> Bool {
        let bytes = frame.encoded()
        var offset = 0
        var attach = descriptor
        let deadline = timeoutSeconds.map { monotonicSeconds() + $0 }
        while offset < bytes.count {
            if let deadline, monotonicSeconds() > deadline { return false }
            let n = bytes.withUnsafeBytes { raw in
                if attach >= 0 {
                    return am_send_with_fd(fd, raw.baseAddress! + offset, raw.count - offset, attach)
                }
                return Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
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

    /// Reads what is available (one recvmsg, no more than the inbox may
    /// hold) into the inbox. Returns false on EOF, error or a violation
    /// (the channel is closed then).
    @discardableResult
    public func fill() -> Bool {
        guard !isClosed else { return false }
        // A packet is read whole: one byte more than the inbox may take,
        // so that one the kernel had to cut is seen (and refused).
        let capacity = packets ? (inbox.bufferedBytes == 0 ? inbox.readCapacity + 1 : 0) : min(65536, inbox.readCapacity)
        // Full of whole frames the caller has not taken yet.
        guard capacity > 0 else { return true }
        var chunk = [UInt8](repeating: 0, count: capacity)
        var received: Int32 = -1
        let n = chunk.withUnsafeMutableBytes { am_recv_with_fd(fd, $0.baseAddress, $0.count, &received) }
        // ECONNRESET on a packet socket: the peer went away without
        // reading what we sent it; what it sent us is still queued.
        if n < 0 && (errno == EAGAIN || errno == EINTR || (packets && errno == ECONNRESET)) {
            if received >= 0 { close(received) }
            return true
        }
        do {
            if packets && n > 0 {
                try inbox.appendPacket(chunk[0..<n], descriptor: received)
            } else {
                try inbox.append(chunk[0..<max(n, 0)], descriptor: received)
            }
        } catch {
            // A descriptor on a direction that carries none is closed here,
            // at once: it is never kept.
            if received >= 0 && !inbox.carriesDescriptors { close(received) }
            refuse(error)
            return false
        }
        if n > 0 { return true }
        isClosed = true
        return false
    }

    /// The next complete message already read, if any. A violation closes
    /// the channel and returns nil (`violation` says why).
    public func nextMessage<Kind: IPCMessageKind>(_ kind: Kind.Type) -> IPCMessage<Kind>? {
        guard violation == nil else { return nil }
        do {
            return try inbox.next(Kind.self)
        } catch {
            refuse(error)
            return nil
        }
    }

    /// Blocks (up to `timeoutMilliseconds`, -1 forever) for one message.
    public func receive<Kind: IPCMessageKind>(_ kind: Kind.Type, timeoutMilliseconds: Int32 = -1) -> IPCMessage<Kind>? {
        while true {
            if let message = nextMessage(Kind.self) { return message }
            if isClosed { return nil }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = poll(&p, 1, timeoutMilliseconds)
            if r == 0 { return nil }
            if r < 0 { if errno == EINTR { continue }; return nil }
            if !fill() { return nextMessage(Kind.self) }
        }
    }

    private func refuse(_ error: IPCViolation) {
        violation = error
        isClosed = true
        for d in inbox.takeUnclaimedDescriptors() { close(d) }
    }
}

/// Monotonic seconds, for timeouts and measurements.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
