/// What a worker tells the master on its control channel. None of these
/// carries a payload or a descriptor, so the master's buffer for a worker
/// never holds more than one 5-byte frame, and a descriptor a subverted
/// worker passes is closed as it arrives.
public enum WorkerToMaster: UInt8, IPCMessageKind, CaseIterable {
    /// Jailed and waiting for connections.
    case ready = 10
    /// The connection handed over is finished; the worker is idle again.
    case done = 11
    /// Reached max_requests_per_child: exiting after this message.
    case retiring = 12

    public static let direction = "worker to master"

    public var name: String {
        switch self {
        case .ready: "ready"
        case .done: "done"
        case .retiring: "retiring"
        }
    }

    public var maximumPayload: Int { 0 }
    public var carriesDescriptor: Bool { false }
}
