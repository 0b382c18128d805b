import MailAuth

/// What a worker sends the spool on its channel (fd 5 in a worker). The
/// channel is a SOCK_SEQPACKET socketpair: every frame is one message,
/// read whole or not at all, so a spool killed in the middle of a read
/// leaves the next spool at a frame boundary. The master keeps a copy of
/// the spool's end and hands it to each new spool: what a worker sent and
/// the dead spool had not read yet is still there. The replies are
/// `SpoolToWorker`.
public enum WorkerToSpool: UInt8, IPCMessageKind, CaseIterable {
    /// One DMARC aggregate report row, as `DMARCReportRow.jsonText`.
    case reportRow = 40
    /// One AbusixDataFeed transaction, as `AbusixFeedRecord.encoded()`:
    /// the spool sends the datagram (a worker has no socket). Not
    /// acknowledged: the feed is UDP, lossy by design.
    case abusixRecord = 43
    /// An unexpected handler error or a stage timeout, as
    /// `ErrorReport.encoded()` (with the connection's trace): the spool
    /// mails it to `errors_to`, rate-limited. Not acknowledged: a report
    /// lost with a dying spool is logged by the worker already. A worker
    /// cut by its stage alarm sends it from the signal handler, a frame
    /// it prepared when it armed the alarm.
    case errorReport = 44

    public static let direction = "worker to spool"

    public var name: String {
        switch self {
        case .reportRow: "report row"
        case .abusixRecord: "Abusix record"
        case .errorReport: "error report"
        }
    }

    public var maximumPayload: Int {
        switch self {
        case .reportRow: Self.maximumRowBytes
        case .abusixRecord: AbusixFeedRecord.maximumEncodedBytes
        case .errorReport: ErrorReport.maximumEncodedBytes
        }
    }
    public var carriesDescriptor: Bool { false }

    /// The largest row a spool accepts; a real row is well under 8 KiB.
    /// A frame is one message, and a message must fit one 64 KiB read.
    public static let maximumRowBytes = 60 * 1024
}
