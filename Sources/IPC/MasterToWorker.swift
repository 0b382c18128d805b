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
    /// SMTP mode: a connection to the downstream MTA (`smtp.sock_*` of the
    /// listener the worker named), as a non-blocking socket whose connect
    /// may still be in progress; the descriptor travels as SCM_RIGHTS. The
    /// master connects, so the jailed worker needs neither socket nor
    /// connect and can reach no other address.
    case relayConnection = 5
    /// SMTP mode: no downstream connection could be made; the payload says
    /// why (for the 451 the worker answers and its log line).
    case relayUnavailable = 6

    public static let direction = "master to worker"

    public var name: String {
        switch self {
        case .configuration: "configuration"
        case .connection: "connection"
        case .shutdown: "shutdown"
        case .blockerRules: "blocker rules"
        case .relayConnection: "relay connection"
        case .relayUnavailable: "relay unavailable"
        }
    }

    public var maximumPayload: Int {
        switch self {
        case .configuration: Self.maximumConfigurationBytes
        // A connection string ("inet:port@host", "unix:/path").
        case .connection: 4096
        case .shutdown: 0
        case .blockerRules: Self.maximumBlockerRulesBytes
        case .relayConnection: 0
        case .relayUnavailable: 1024
        }
    }

    public var carriesDescriptor: Bool { self == .connection || self == .relayConnection }

    /// The largest serialized configuration a child accepts (IP maps and
    /// handler settings are far smaller).
    public static let maximumConfigurationBytes = 64 * 1024 * 1024

    /// The largest Blocker rule set (`BlockerRuleWire.maximumBytes`; a
    /// test keeps the two equal).
    public static let maximumBlockerRulesBytes = 4 << 20
}
