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
    /// The Blocker rules in force (the master reads the rule files, which
    /// a jailed worker cannot open), sent before the next connection when
    /// they changed since the worker last heard. Payload: `BlockerRuleWire`.
    case blockerRules = 4

    public static let direction = "master to worker"

    public var name: String {
        switch self {
        case .configuration: "configuration"
        case .connection: "connection"
        case .shutdown: "shutdown"
        case .blockerRules: "blocker rules"
        }
    }

    public var maximumPayload: Int {
        switch self {
        case .configuration: Self.maximumConfigurationBytes
        // A connection string ("inet:port@host", "unix:/path").
        case .connection: 4096
        case .shutdown: 0
        case .blockerRules: Self.maximumBlockerRulesBytes
        }
    }

    public var carriesDescriptor: Bool { self == .connection }

    /// The largest serialized configuration a child accepts (IP maps and
    /// handler settings are far smaller).
    public static let maximumConfigurationBytes = 64 * 1024 * 1024

    /// The largest Blocker rule set (`BlockerRuleWire.maximumBytes`; a
    /// test keeps the two equal).
    public static let maximumBlockerRulesBytes = 4 << 20
}
