/// What a worker tells the master on its control channel. None carries a
/// descriptor (one a subverted worker passes is closed as it arrives); only
/// `metrics` (at most `metricsMaximumPayload` bytes) and
/// `relayConnectionRequest` (a listener name) carry a payload, so the
/// master's buffer for a worker stays bounded.
public enum WorkerToMaster: UInt8, IPCMessageKind, CaseIterable {
    /// Jailed and waiting for connections.
    case ready = 10
    /// The connection handed over is finished; the worker is idle again.
    case done = 11
    /// Reached max_requests_per_child: exiting after this message.
    case retiring = 12
    /// With the metrics endpoint on: what the worker counted for the
    /// connection just served (`MetricDelta`), sent before `done`.
    case metrics = 13
    /// SMTP mode: the worker needs a connection to the downstream MTA for
    /// the connection it serves; the payload is that connection's listener
    /// (the master picks the `smtp` block for it; the worker cannot name
    /// an address). Answered by `relayConnection` or `relayUnavailable`.
    case relayConnectionRequest = 14

    public static let direction = "worker to master"

    public var name: String {
        switch self {
        case .ready: "ready"
        case .done: "done"
        case .retiring: "retiring"
        case .metrics: "metrics"
        case .relayConnectionRequest: "relay connection request"
        }
    }

    /// Room for a few hundred series (a connection's handler counters,
    /// one timing per callback and handler, one histogram per callback).
    public static let metricsMaximumPayload = 65_536

    public var maximumPayload: Int {
        switch self {
        case .metrics: Self.metricsMaximumPayload
        // A listener's connection string, as MasterToWorker.connection gave it.
        case .relayConnectionRequest: 4096
        case .ready, .done, .retiring: 0
        }
    }
    public var carriesDescriptor: Bool { false }
}
