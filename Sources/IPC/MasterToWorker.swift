/// What the master sends a worker on its control channel (fd 3 in the
/// worker). Payloads use IPCWriter/IPCReader.
public enum MasterToWorker: UInt8, IPCMessageKind, CaseIterable {
    /// Serialized configuration; the first message a worker reads.
    case configuration = 1
    /// A connection to serve: the socket travels as SCM_RIGHTS; the payload
    /// is the listener's connection string (for per-listener settings).
    case connection = 2
    /// Finish the connection in hand (if any), then exit.
    case shutdown = 3

    public static let direction = "master to worker"

    public var name: String {
        switch self {
        case .configuration: "configuration"
        case .connection: "connection"
        case .shutdown: "shutdown"
        }
    }

    public var maximumPayload: Int {
        switch self {
        case .configuration: Self.maximumConfigurationBytes
        // A connection string ("inet:port@host", "unix:/path").
        case .connection: 4096
        case .shutdown: 0
        }
    }

    public var carriesDescriptor: Bool { self == .connection }

    /// The largest serialized configuration a child accepts (IP maps and
    /// handler settings are far smaller).
    public static let maximumConfigurationBytes = 64 * 1024 * 1024
}
