#if canImport(Glibc)
import Glibc
#endif
import Config
import IPC
import JSON
import Metrics
import SystemIO

/// The metrics endpoint's side of the master: the workers' deltas into the
/// registry, the master's own counts, and the four pages.
extension MasterServer {
    static let metricsVersion = "authmilter-swift"

    static func metricRegistry(_ c: Configuration, ident: String) -> MetricRegistry? {
        guard c.metricsEnabled else { return nil }
        var registry = MetricRegistry(ident: ident)
        registry.register(enabledHandlers: Set(c.enabledHandlers.map(\.name)))
        return registry
    }

    /// A worker's `metrics` message: added whole, or, if it does not
    /// decode, the worker broke its protocol (only a subverted or broken
    /// worker sends a bad delta) and is replaced.
    func takeMetrics(_ payload: [UInt8], from slot: ChildSlot) {
        guard metrics != nil else { return }
        do {
            metrics!.merge(try MetricDelta.decode(payload))
        } catch {
            log.error("worker \(slot.pid) sent a bad metrics delta (\(error)): killing and replacing it")
            slot.state = .retiring
            kill(slot.pid, SIGKILL)
        }
    }

    /// The spool's dequeue state: Perl's `dequeue_files_total{key,state="new"}`
    /// set to what waits, and the run counted by how it ended. A state that
    /// does not decode is a broken spool: replaced as any violation.
    func takeDequeueState(_ payload: [UInt8], from slot: ChildSlot) {
        do {
            let state = try DequeueState(encoded: payload)
            metrics?.set(.dequeueFiles, labels: [state.key, "new"], value: UInt64(state.waiting))
            if let run = state.run { metrics?.add(.dequeueRuns, labels: [state.key, run], value: 1) }
        } catch {
            replace(slot, refusing: error)
        }
    }

    func countMasterMetric(_ family: MetricFamily) {
        metrics?.add(family, labels: [], value: 1)
    }

    func metricsResponse(_ request: MetricsHTTPRequest) -> MetricsHTTPResponse {
        if request.route.isExtended && configuration.metricBasicHTTP {
            return MetricsHTTPResponse(refusal: .forbidden)
        }
        switch request.route {
        case .metrics:
            guard let metrics else { return MetricsHTTPResponse(refusal: .serviceUnavailable) }
            let waiting = workers.values.filter { $0.state == .idle }.count
            let processing = workers.values.filter { $0.state == .busy }.count
            let text = metrics.render(uptimeSeconds: Int(monotonicSeconds() - metricsStartedAt), waiting: waiting, processing: processing)
            return MetricsHTTPResponse(status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(text.utf8))
        case .index:
            var connections = [(name: "default", spec: configuration.connection.description)]
            connections += configuration.connections.map { ($0.name, $0.connection.description) }
            let page = MetricsIndexPage.html(version: Self.metricsVersion, ident: options.logIdent,
                                             handlers: configuration.enabledHandlers.map(\.name).sorted(),
                                             connections: connections, basicHTTP: configuration.metricBasicHTTP)
            return MetricsHTTPResponse(status: .ok, contentType: "text/html; charset=utf-8", body: Array(page.utf8))
        case .config:
            let json = JSONSerializer.serialize(Self.redacted(configuration.jsonValue()), style: .pretty(indent: 3), sortKeys: true)
            return MetricsHTTPResponse(status: .ok, contentType: "application/json", body: json + [10])
        case .grafana:
            let dashboard = GrafanaDashboard.json(ident: options.logIdent, enabledHandlers: Set(configuration.enabledHandlers.map(\.name)))
            return MetricsHTTPResponse(status: .ok, contentType: "application/json",
                                       body: JSONSerializer.serialize(dashboard, style: .pretty(indent: 3), sortKeys: false) + [10])
        }
    }

    /// The running configuration without its secrets: an inline key
    /// (`arcseal_key`, `feed_key`, a signing key) or a password is shown
    /// as `[redacted]`. Perl prints them; a scraper's page is no place for
    /// a private key.
    static func redacted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object):
            var copy = JSONObject()
            for (key, inner) in object {
                let lower = key.lowercased()
                let secret = (lower.hasSuffix("_key") || lower == "key" || lower.contains("password") || lower.contains("secret"))
                copy[key] = secret && inner != .null ? .string("[redacted]") : redacted(inner)
            }
            return .object(copy)
        case .array(let array):
            return .array(array.map(redacted))
        default:
            return value
        }
    }
}
