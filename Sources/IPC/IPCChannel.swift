#if canImport(Glibc)
import Glibc
#endif
import CShim
import SystemIO

/// One end of a socketpair between our processes, carrying IPCFrames and
/// (for connection and channel hand-over) file descriptors. What arrives
/// is checked by an `IPCInbox` for the direction this end receives: the
/// first violation closes the channel (`violation` says why) and every
/// descriptor not handed out is closed.
public final class IPCChannel {
    public let fd: Int32
    private var inbox: IPCInbox
    public private(set) var isClosed = false
    private var chunk: [UInt8] = []
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
        var attach = descriptor
        let deadline = timeoutSeconds.map { monotonicSeconds() + $0 }
        do {
            try SystemCall.writeAll(attach >= 0 ? "sendmsg" : "send", fd: fd, bytes: frame.encoded(), from: 0, whenFull: .wait(until: deadline)) { rest in
                guard attach >= 0 else { return Glibc.send(fd, rest.baseAddress, rest.count, Int32(MSG_NOSIGNAL)) }
                // The descriptor rides on the first bytes that go.
                let n = am_send_with_fd(fd, rest.baseAddress, rest.count, attach)
                if n > 0 { attach = -1 }
                return n
            }
            return true
        } catch {
            return false
        }
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
        // One buffer for the channel's life, not a zeroed one per read
        // (issue 12: the master and each worker read a channel per
        // connection).
        if chunk.count < capacity { chunk = [UInt8](repeating: 0, count: capacity) }
        var received: Int32 = -1
        var n = 0
        do {
            n = try SystemCall.retryingOnInterrupt("recvmsg") {
                chunk.withUnsafeMutableBytes { am_recv_with_fd(fd, $0.baseAddress, capacity, &received) }
            }
        } catch where error.wouldBlock || (packets && error.errno == ECONNRESET) {
            // ECONNRESET on a packet socket: the peer went away without
            // reading what we sent it; what it sent us is still queued.
            if received >= 0 { close(received) }
            return true
        } catch {
            // Any other failure ends the channel (n stays 0: the end).
        }
        do {
            if packets && n > 0 {
                try inbox.appendPacket(chunk[0..<n], descriptor: received)
            } else {
                try inbox.append(chunk[0..<n], descriptor: received)
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
            // The whole timeout for each wait, as before; an interruption
            // waits for what is left of it.
            let deadline = timeoutMilliseconds < 0 ? nil : monotonicSeconds() + Double(timeoutMilliseconds) / 1000
            var p = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            guard let ready = try? SystemCall.poll(&p, deadline: deadline), ready > 0 else { return nil }
            if !fill() { return nextMessage(Kind.self) }
        }
    }

    private func refuse(_ error: IPCViolation) {
        violation = error
        isClosed = true
        for d in inbox.takeUnclaimedDescriptors() { close(d) }
    }
}
