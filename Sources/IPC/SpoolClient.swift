#if canImport(Glibc)
import Glibc
#endif
import MailAuth
import ProcessLog
import SystemIO

/// A worker's end of its channel to the spool (fd 5, SOCK_SEQPACKET: one
/// frame per message). Sending never blocks the worker: rows wait in
/// `rows` and go out as far as the socket takes them without waiting, on
/// each new row and after each connection (`flush`). A row stays in `rows`
/// until the spool acknowledges it (after its journal's fdatasync), and
/// is sent again when a new spool takes the channel over
/// (`SpoolToWorker.resendUnacknowledged`), so a killed spool loses nothing.
/// Rows the spool has not acknowledged count against
/// `maximumPendingBytes`; past it new rows are dropped and counted in the
/// log: mail is never held up for a report.
public final class SpoolClient {
    public let fd: Int32
    private var rows = SpoolPendingRows(maximumBytes: SpoolClient.maximumPendingBytes)
    public private(set) var droppedRows = 0
    /// Row frames written to the channel, resends included.
    public private(set) var sentFrames = 0
    /// Of `sentFrames`, those sent again because a new spool took the
    /// channel over before acknowledging them.
    public private(set) var resentRows = 0
    /// Neither the spool nor the master holds the other end any more.
    private var channelGone = false
    public static let maximumPendingBytes = 4 << 20

    /// The reading side: `SpoolToWorker`, one frame per packet.
    private let replies: IPCChannel

    public init(fd: Int32) {
        self.fd = fd
        replies = IPCChannel(fd: fd, receiving: SpoolToWorker.self, packets: true)
    }

    /// Queues one report row for the spool.
    public func submit(_ row: DMARCReportRow) {
        let payload = Array(row.jsonText.utf8)
        guard payload.count <= WorkerToSpool.maximumRowBytes else {
            droppedRows += 1
            ChildLog.error("worker: DMARC report row for \(row.policyDomain) of \(payload.count) bytes not sent (limit \(WorkerToSpool.maximumRowBytes))")
            return
        }
        let frame = IPCFrame(WorkerToSpool.reportRow, payload: payload).encoded()
        guard rows.add(id: row.id, frame: frame) else {
            droppedRows += 1
            ChildLog.error("worker: the spool has not acknowledged \(rows.count) DMARC report rows (\(rows.bytes) bytes); row for \(row.policyDomain) dropped (\(droppedRows) so far)")
            return
        }
        flush()
    }

    /// AbusixDataFeed records not sent because the channel was full or gone.
    public private(set) var droppedAbusixRecords = 0

    /// Sends one AbusixDataFeed record now, without waiting: the feed is
    /// UDP, so a record that does not fit the channel at once (a spool far
    /// behind) is dropped and counted, never queued and never resent.
    public func submit(_ record: AbusixFeedRecord) {
        let frame = IPCFrame(WorkerToSpool.abusixRecord, payload: record.encoded()).encoded()
        guard !channelGone else {
            droppedAbusixRecords += 1
            return
        }
        let sent = try? SystemCall.retryingOnInterrupt("send") {
            frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
        }
        if sent != frame.count {
            droppedAbusixRecords += 1
            // One line per power of two, so a stuck spool does not flood the log.
            if droppedAbusixRecords & (droppedAbusixRecords - 1) == 0 {
                ChildLog.warning("worker: AbusixDataFeed record not handed to the spool (channel full or closed); \(droppedAbusixRecords) dropped so far")
            }
        }
    }

    /// Error reports not handed to the spool (channel full or gone).
    public private(set) var droppedErrorReports = 0

    /// The frame of an error report, as `submit` sends it and the stage
    /// alarm keeps it ready.
    public static func frame(_ report: ErrorReport) -> [UInt8] {
        IPCFrame(WorkerToSpool.errorReport, payload: report.encoded()).encoded()
    }

    /// Sends one error report now, without waiting (the error mail is a
    /// courtesy: a full channel drops it, and the log has the error).
    public func submit(_ report: ErrorReport) {
        let frame = Self.frame(report)
        let sent = channelGone ? nil : try? SystemCall.retryingOnInterrupt("send") {
            frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
        }
        if sent != frame.count {
            droppedErrorReports += 1
            ChildLog.warning("worker: error report not handed to the spool (channel full or closed); \(droppedErrorReports) dropped so far")
        }
    }

    /// Takes the spool's acknowledgements and writes what the socket takes
    /// now, without waiting.
    public func flush() {
        // With no row in flight there is nothing to be acknowledged: the
        // channel is not polled after every connection (issue 12). A
        // request to send again is then read with the next row.
        if hasPending { readReplies() }
        sendUnsent()
    }

    /// Rows the spool has not acknowledged yet.
    public var pendingRows: Int { rows.count }
    public var hasPending: Bool { !rows.isEmpty }

    /// Before the worker exits: waits up to `timeoutMilliseconds` in all
    /// for the spool to acknowledge every row, then logs what it gives up.
    public func drain(timeoutMilliseconds: Int32) {
        let deadline = monotonicSeconds() + Double(timeoutMilliseconds) / 1000
        flush()
        while hasPending && !channelGone {
            let left = deadline - monotonicSeconds()
            guard left > 0 else { break }
            let events = rows.unsentCount > 0 ? POLLIN | POLLOUT : POLLIN
            var p = [pollfd(fd: fd, events: Int16(events), revents: 0)]
            guard (try? SystemCall.poll(&p, timeoutMilliseconds: Int32(min(left, 0.1) * 1000) + 1)) != nil else { break }
            flush()
        }
        guard hasPending else { return }
        // Rows already in the channel are not lost yet: the master keeps
        // the spool's end for the next spool, which reads and stores them.
        ChildLog.error("worker: exiting with \(rows.count) DMARC report rows the spool has not acknowledged: \(rows.sentCount) are in the channel for the next spool, \(rows.unsentCount) never sent are lost")
    }

    /// Every message the spool has sent us (acknowledgements, the request
    /// to send again), checked by the typed inbox (`SpoolToWorker`, whole
    /// frames per packet); never waits.
    private func readReplies() {
        while !channelGone {
            var p = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            guard let ready = try? SystemCall.poll(&p, deadline: monotonicSeconds()), ready > 0 else { return }
            let open = replies.fill()
            while let message = replies.nextMessage(SpoolToWorker.self) { take(message) }
            if let violation = replies.violation {
                lose("broken message from the spool (\(violation))")
                return
            }
            if !open || replies.isClosed {
                lose("spool channel closed")
                return
            }
        }
    }

    private func take(_ message: IPCMessage<SpoolToWorker>) {
        switch message.kind {
        case .acknowledged:
            do {
                rows.acknowledge(try SpoolAcknowledgement.ids(in: message.payload))
            } catch {
                ChildLog.error("worker: \(error)")
            }
        case .resendUnacknowledged:
            if rows.sentCount > 0 {
                ChildLog.info("worker: a new spool took the channel over; sending again \(rows.sentCount) DMARC report rows it may not have")
            }
            rows.resendAll()
        }
    }

    private func sendUnsent() {
        while !channelGone, let frame = rows.nextUnsent {
            // One frame a packet: all of it is sent or none.
            let n: Int
            do {
                n = try SystemCall.retryingOnInterrupt("send") {
                    frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
                }
            } catch where error.wouldBlock {
                return
            } catch {
                lose("cannot write the spool channel: \(error.reason)")
                return
            }
            guard n == frame.count else {
                lose("cannot write the spool channel: short write")
                return
            }
            if rows.markNextSent() { resentRows += 1 }
            sentFrames += 1
        }
    }

    /// The other end is closed by everyone (the master is gone too): the
    /// rows stay counted, and `drain` reports them at exit.
    private func lose(_ reason: String) {
        channelGone = true
        ChildLog.error("worker: \(reason); \(rows.count) DMARC report rows cannot be delivered")
    }
}
