#if canImport(Glibc)
import Glibc
#endif
import MailAuth

/// A worker's end of its channel to the spool (fd 5). Sending never
/// blocks the worker: frames go into a buffer that is written as far as
/// the socket takes without waiting, and the rest on the next row or when
/// the connection is done (`flush`). If the spool stops reading for long
/// enough that the buffer reaches `maximumPendingBytes`, new rows are
/// dropped and counted in the log: mail is never held up for a report.
public final class SpoolClient {
    public let fd: Int32
    private var pending: [UInt8] = []
    public private(set) var droppedRows = 0
    public static let maximumPendingBytes = 4 << 20

    public init(fd: Int32) { self.fd = fd }

    /// Queues one report row for the spool.
    public func submit(_ row: DMARCReportRow) {
        let payload = Array(row.jsonText.utf8)
        guard payload.count <= WorkerToSpool.maximumRowBytes else {
            droppedRows += 1
            ChildLog.error("worker: DMARC report row for \(row.policyDomain) of \(payload.count) bytes not sent (limit \(WorkerToSpool.maximumRowBytes))")
            return
        }
        let frame = IPCFrame(WorkerToSpool.reportRow, payload: payload).encoded()
        guard pending.count + frame.count <= Self.maximumPendingBytes else {
            droppedRows += 1
            ChildLog.error("worker: spool is not reading; DMARC report row for \(row.policyDomain) dropped (\(droppedRows) so far)")
            return
        }
        pending += frame
        flush()
    }

    /// Writes what the socket takes now, without waiting.
    public func flush() {
        var written = 0
        while written < pending.count {
            let n = pending.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + written, raw.count - written, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            }
            if n > 0 { written += n; continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { break }
            // The spool is gone (the master restarts it and retires this
            // worker); what is queued cannot be delivered.
            ChildLog.error("worker: spool channel closed; \(pending.count - written) bytes of report rows lost")
            written = pending.count
        }
        if written > 0 { pending.removeFirst(written) }
    }

    public var hasPending: Bool { !pending.isEmpty }

    /// Before the worker exits: waits up to `timeoutMilliseconds` in all
    /// for the spool to take what is queued.
    public func drain(timeoutMilliseconds: Int32) {
        var left = timeoutMilliseconds
        while hasPending && left > 0 {
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&p, 1, min(left, 100)) >= 0 || errno == EINTR else { break }
            left -= 100
            flush()
        }
        if hasPending { ChildLog.error("worker: exiting with \(pending.count) bytes of report rows the spool did not take") }
    }
}
