/// The four pages of the metrics endpoint; any other path is a 404.
public enum MetricsRoute: String, CaseIterable, Sendable {
    case index = "/"
    case metrics = "/metrics"
    case config = "/config"
    case grafana = "/grafana"

    /// What `metric_basic_http` closes (403): the running configuration
    /// and the dashboard, as the manual says ("extended http services").
    public var isExtended: Bool { self == .config || self == .grafana }
}
