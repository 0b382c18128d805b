#if canImport(Glibc)
import Glibc
#endif
import IPC
import MailAuth
import ProcessLog
import SystemIO

/// The spool's end of one worker's channel (SOCK_SEQPACKET, one frame per
/// message): rows in, acknowledgements out. Frames to the worker wait in
/// `outbox` when its socket is full (a worker reads them only between
/// rows): the spool never blocks on a worker.
final class SpoolWorkerChannel {
    let fd: Int32
    /// The reading side: `WorkerToSpool`, one frame per packet.
    private let channel: IPCChannel
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
        channel = IPCChannel(fd: fd, receiving: WorkerToSpool.self, packets: true)
        queue(IPCFrame(SpoolToWorker.resendUnacknowledged))
        sendQueued()
    }

    /// The rows waiting in the channel now (never blocks: each message is
    /// read only when poll says one is there). The typed inbox checks each
    /// message (`WorkerToSpool`, whole frames per packet); a worker that
    /// sends anything else (an unknown kind, a row over the limit, a
    /// descriptor, a frame cut across messages) loses its channel, and the
    /// descriptor is closed as it arrives.
    func readRows(into rows: inout [DMARCReportRow], abusix: (AbusixFeedRecord) -> Void = { _ in },
                  errorReport: (ErrorReport) -> Void = { _ in }) {
        for _ in 0..<Self.maximumMessagesPerRound where !isClosed {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 0) > 0 else { return }
            if !channel.fill() { isClosed = true }
            while let message = channel.nextMessage(WorkerToSpool.self) {
                switch message.kind {
                case .reportRow:
                    if let row = Self.reportRow(message) { rows.append(row) }
                case .abusixRecord:
                    if let record = Self.abusixRecord(message) { abusix(record) }
                case .errorReport:
                    if let report = Self.errorReport(message.payload) { errorReport(report) }
                }
            }
            if let violation = channel.violation {
                ChildLog.error("spool: worker channel dropped: \(violation)")
            }
            if channel.isClosed { isClosed = true }
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
            // Full (try again when poll says so) or the worker is gone
            // (the read side sees the end and closes the channel).
            let n = try? SystemCall.retryingOnInterrupt("send") {
                bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
            }
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

    /// An error report (a worker's or the master's); a malformed one is
    /// logged and dropped. Size was checked by the channel.
    static func errorReport(_ payload: [UInt8]) -> ErrorReport? {
        do {
            return try ErrorReport(encoded: payload)
        } catch {
            ChildLog.error("spool: malformed error report dropped: \(error)")
            return nil
        }
    }

    /// A worker's AbusixDataFeed record; a malformed one is logged and
    /// dropped. Size was checked by the channel.
    static func abusixRecord(_ message: IPCMessage<WorkerToSpool>) -> AbusixFeedRecord? {
        do {
            return try AbusixFeedRecord(encoded: message.payload)
        } catch {
            ChildLog.error("spool: malformed \(error) dropped")
            return nil
        }
    }

    /// A worker's row; a malformed one is logged and dropped (a worker is
    /// untrusted: it cannot make the spool do more). Kind and size were
    /// checked by the channel.
    static func reportRow(_ message: IPCMessage<WorkerToSpool>) -> DMARCReportRow? {
        do {
            return try DMARCReportRow(jsonText: String(decoding: message.payload, as: UTF8.self))
        } catch {
            ChildLog.error("spool: malformed report row dropped: \(error)")
            return nil
        }
    }
}
