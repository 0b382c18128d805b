/// What the spool sends a worker on the worker's spool channel (the same
/// SOCK_SEQPACKET socketpair as `WorkerToSpool`, one frame per message).
public enum SpoolToWorker: UInt8, IPCMessageKind, CaseIterable {
    /// The rows with these ids are on disk (journal appended and
    /// fdatasync'd, or in the store): the worker forgets them. Payload:
    /// `SpoolAcknowledgement`.
    case acknowledged = 41
    /// A new spool reads this channel (the first frame a spool sends on
    /// each channel it is given): the worker sends again every row not
    /// acknowledged, since the spool before may have read rows it never
    /// wrote down. No payload.
    case resendUnacknowledged = 42

    public static let direction = "spool to worker"

    public var name: String {
        switch self {
        case .acknowledged: "acknowledged"
        case .resendUnacknowledged: "resend unacknowledged"
        }
    }

    public var maximumPayload: Int {
        switch self {
        case .acknowledged: SpoolAcknowledgement.idLength * SpoolAcknowledgement.maximumIDsPerFrame
        case .resendUnacknowledged: 0
        }
    }

    public var carriesDescriptor: Bool { false }
}
