/// What the helpers send the master on their control channel: only the
/// spool, and only its dequeue state for the metrics endpoint. The DNS
/// helper and the scanner send nothing; the master treats a message from
/// them, or anything else, as a violation.
public enum HelperToMaster: UInt8, IPCMessageKind, CaseIterable {
    /// `DequeueState.encoded()`, after each dequeue run (and at most once
    /// a second when rows arrive). Codes 80-89 belong to issue 14's
    /// operations messages.
    case dequeueState = 81

    public static let direction = "helper to master"

    public var name: String {
        switch self {
        case .dequeueState: "dequeue state"
        }
    }

    public var maximumPayload: Int {
        switch self {
        case .dequeueState: DequeueState.maximumEncodedBytes
        }
    }

    public var carriesDescriptor: Bool { false }
}
