#if canImport(Glibc)
import Glibc
#endif
import CShim
import MailAuth
import Shared

/// The spool's end of one worker's channel (SOCK_SEQPACKET, one frame per
/// message): rows in, acknowledgements out. Frames to the worker wait in
/// `outbox` when its socket is full (a worker reads them only between
/// rows): the spool never blocks on a worker.
final class SpoolWorkerChannel {
    let fd: Int32
    private(set) var isClosed = false
    private var outbox: [[UInt8]] = []
    private var outboxBytes = 0
    private var outboxOverflowLogged = false
    /// A worker that never reads must not grow the spool: past this,
    /// acknowledgements are dropped (the worker then sends those rows again
    /// to a later spool, which stores each id once).
    static let maximumOutboxBytes = 1 << 20
    /// Messages read from one channel per poll round, so one busy worker
    /// cannot starve the others or the journal.
    static let maximumMessagesPerRound = 512

    var wantsToWrite: Bool { !outbox.isEmpty }

    /// Taking a channel over, the first thing said on it is "send again
    /// what is not acknowledged": a spool before this one may have read
    /// rows and died before writing them down.
    init(fd: Int32) {
        self.fd = fd
        queue(IPCFrame(kind: SpoolIPC.resendUnacknowledged))
        sendQueued()
    }

    /// The rows waiting in the channel now (never blocks: each message is
    /// read only when poll says one is there). Anything else a worker
    /// sends is logged and dropped (a worker is untrusted).
    func readRows(into rows: inout [DMARCReportRow]) {
        var message = [UInt8](repeating: 0, count: SpoolIPC.maximumMessageBytes)
        for _ in 0..<Self.maximumMessagesPerRound where !isClosed {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 0) > 0 else { return }
            var descriptor: Int32 = -1
            let n = message.withUnsafeMutableBytes { am_recv_with_fd(fd, $0.baseAddress, $0.count, &descriptor) }
            // A worker has no business passing descriptors to the spool.
            if descriptor >= 0 { close(descriptor) }
            if n > 0 {
                take(message[0..<n], into: &rows)
            } else if n < 0 && (errno == EINTR || errno == EAGAIN || errno == ECONNRESET) {
                // ECONNRESET: the worker exited without reading our last
                // frames; the error is reported once, and the rows it sent
                // are still queued behind it.
                continue
            } else {
                isClosed = true
            }
        }
    }

    /// One message: whole frames only. Our workers send one row per
    /// message; a worker sending anything else (a frame cut across
    /// messages, one beyond the row limit) is cut off.
    private func take(_ message: ArraySlice<UInt8>, into rows: inout [DMARCReportRow]) {
        var bytes = Array(message)
        while !bytes.isEmpty {
            if bytes.count >= 4 {
                let length = Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
                guard length - 1 <= SpoolIPC.maximumRowBytes else {
                    ChildLog.error("spool: a worker announced a frame of \(length - 1) bytes (limit \(SpoolIPC.maximumRowBytes)); its channel is closed")
                    isClosed = true
                    return
                }
            }
            guard let frame = try? IPCFrame.decode(from: &bytes) else {
                ChildLog.error("spool: a worker sent a message that is not whole frames; its channel is closed")
                isClosed = true
                return
            }
            if let row = Self.reportRow(frame) { rows.append(row) }
        }
    }

    /// These rows are on disk: the worker may forget them.
    func acknowledge(_ ids: [String]) {
        for frame in SpoolAcknowledgement.frames(for: ids) { queue(frame) }
        sendQueued()
    }

    /// Writes queued frames as far as the socket takes them now.
    func sendQueued() {
        while let bytes = outbox.first {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            // Full (try again when poll says so) or the worker is gone
            // (the read side sees the end and closes the channel).
            guard n == bytes.count else { return }
            outbox.removeFirst()
            outboxBytes -= bytes.count
        }
        outboxOverflowLogged = false
    }

    private func queue(_ frame: IPCFrame) {
        let bytes = frame.encoded()
        guard outboxBytes + bytes.count <= Self.maximumOutboxBytes else {
            if !outboxOverflowLogged {
                ChildLog.warning("spool: a worker does not read its acknowledgements; some dropped (it will send those rows again to a later spool)")
                outboxOverflowLogged = true
            }
            return
        }
        outbox.append(bytes)
        outboxBytes += bytes.count
    }

    /// A worker's frame as a row; anything else is logged and dropped
    /// (a worker is untrusted: it cannot make the spool do more).
    static func reportRow(_ frame: IPCFrame) -> DMARCReportRow? {
        guard frame.kind == SpoolIPC.reportRow else {
            ChildLog.error("spool: unknown work item of kind \(frame.kind) (\(frame.payload.count) bytes) dropped")
            return nil
        }
        guard frame.payload.count <= SpoolIPC.maximumRowBytes else {
            ChildLog.error("spool: report row of \(frame.payload.count) bytes dropped (limit \(SpoolIPC.maximumRowBytes))")
            return nil
        }
        do {
            return try DMARCReportRow(jsonText: String(decoding: frame.payload, as: UTF8.self))
        } catch {
            ChildLog.error("spool: malformed report row dropped: \(error)")
            return nil
        }
    }
}
