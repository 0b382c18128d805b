#if canImport(Glibc)
import Glibc
#endif
import ProcessLog
import SystemIO

extension IPCInbox {
    /// What one read of a channel gave.
    public enum Receipt: Equatable, Sendable {
        /// Bytes were added; `more`: the read took all it asked for, so
        /// more may be waiting.
        case received(more: Bool)
        /// Nothing there now (the socket would block).
        case nothing
        /// The channel is over: why, in words for the log.
        case finished(String)
    }

    /// One recv (MSG_DONTWAIT) of no more than the inbox may still hold,
    /// added to it. `peer` names the other end in the reason of a
    /// `finished` ("the DNS helper").
    public mutating func receive(from fd: Int32, using chunk: inout [UInt8], peer: String) -> Receipt {
        let capacity = min(chunk.count, readCapacity)
        let n: Int
        do {
            n = try SystemCall.receiveSome(socket: fd, into: &chunk, limit: capacity, flags: Int32(MSG_DONTWAIT))
        } catch where error.wouldBlock {
            return .nothing
        } catch {
            return .finished("the channel to \(peer) failed (\(error.reason))")
        }
        guard n > 0 else { return .finished("\(peer) closed the channel") }
        do {
            try append(chunk[0..<n])
        } catch {
            return .finished("broken message from \(peer) (\(error))")
        }
        return .received(more: n == capacity)
    }
}

/// A helper's end of one worker's socketpair (the DNS helper's, the
/// scanner's): the worker's messages in, each checked against `Incoming`
/// (the buffer never holds more than one message of the direction),
/// frames out, buffered; never blocking (MSG_DONTWAIT). recv, not
/// recvmsg: a descriptor a worker passes is discarded by the kernel.
public final class HelperChannelEnd<Incoming: IPCMessageKind> {
    public let fd: Int32
    /// Output beyond this means the worker stopped reading.
    public let maximumOutput: Int
    private var inbox = IPCInbox(receiving: Incoming.self)
    private var output: [UInt8] = []
    private var outputOffset = 0

    /// Owns `fd` (closed with the end).
    public init(fd: Int32, maximumOutput: Int) {
        self.fd = fd
        self.maximumOutput = maximumOutput
    }

    deinit { close(fd) }

    public var wantsToWrite: Bool { outputOffset < output.count }

    /// What to poll this end for: input always, room to write while
    /// output waits.
    public var pollEvents: Int16 { Int16(POLLIN) | (wantsToWrite ? Int16(POLLOUT) : 0) }

    /// What poll's answer means for this end.
    public enum PollOutcome { case writeFailed, readable, idle }

    /// Writes what waits when there is room, then says whether there is
    /// something to read (input, or a hang-up that `read` reports).
    public func afterPoll(revents: Int16) -> PollOutcome {
        if revents & Int16(POLLOUT) != 0 && !flush() { return .writeFailed }
        if revents & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR) | Int16(POLLNVAL)) != 0 { return .readable }
        return .idle
    }

    public enum ReadResult { case messages([IPCMessage<Incoming>]), closed(String) }

    /// Reads what is there and returns the complete messages.
    public func read(into chunk: inout [UInt8]) -> ReadResult {
        var messages: [IPCMessage<Incoming>] = []
        while true {
            switch inbox.receive(from: fd, using: &chunk, peer: "the worker") {
            case .nothing:
                return .messages(messages)
            case .finished(let why):
                return .closed(why)
            case .received(let more):
                do {
                    while let message = try inbox.next(Incoming.self) { messages.append(message) }
                } catch {
                    return .closed("\(error)")
                }
                if !more { return .messages(messages) }
            }
        }
    }

    /// Queues a frame and writes what the socket takes now. False when the
    /// channel must be dropped (write error, or the worker stopped reading).
    public func send(_ frame: IPCFrame) -> Bool {
        output.append(contentsOf: frame.encoded())
        guard output.count - outputOffset <= maximumOutput else { return false }
        return flush()
    }

    /// Writes what is queued, as much as the socket takes (the rest waits
    /// for POLLOUT). False on a write error.
    public func flush() -> Bool {
        do {
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

extension IPCChannel {
    /// A helper's control channel (fd 3): the worker channels the master
    /// handed over since the last call (`MasterToHelper.newChannel`), at
    /// most `limit` open with the `open` ones (one more is closed, with a
    /// log line), and whether the master closed the channel (its way of
    /// saying "exit"). Another message is logged and ignored; a broken one
    /// ends the process (the master is ours: only a bug sends one).
    public func takeWorkerChannels(role: String, open: Int, limit: Int) -> (descriptors: [Int32], masterClosed: Bool) {
        let alive = fill()
        var descriptors: [Int32] = []
        while let message = nextMessage(MasterToHelper.self) {
            guard message.kind == .newChannel else {
                ChildLog.warning("\(role): ignoring the master's \(message.kind.name) message")
                continue
            }
            guard open + descriptors.count < limit else {
                ChildLog.error("\(role): \(open + descriptors.count) worker channels open, refusing another")
                close(message.descriptor)
                continue
            }
            descriptors.append(message.descriptor)
            ChildLog.debug("\(role): new worker channel (fd \(message.descriptor))")
        }
        if let violation {
            ChildLog.critical("\(role): broken message from the master (\(violation)); exiting")
            exit(1)
        }
        return (descriptors, !alive || isClosed)
    }
}
