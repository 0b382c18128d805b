import JSON

/// The example Grafana dashboard `/grafana` serves, built from the
/// families of the enabled handlers as Perl builds its dashboard from
/// each handler's `grafana_rows`: rows for processes, throughput, errors
/// and time, our latency quantiles, then one row per handler with its
/// counters by label. Our own JSON (Perl's row files are not copied).
public enum GrafanaDashboard {
    public static func json(ident: String, enabledHandlers: Set<String>) -> JSONValue {
        let ident = MetricLabel.clean(ident)
        var panels: [JSONValue] = []
        var y = 0
        func row(_ title: String) {
            panels.append(.object(JSONObject([
                ("type", .string("row")), ("title", .string(title)), ("collapsed", .bool(false)),
                ("id", .integer(panels.count + 1)),
                ("gridPos", grid(x: 0, y: y, w: 24, h: 1)),
            ])))
            y += 1
        }
        func graph(_ title: String, unit: String, _ targets: [(expr: String, legend: String)]) {
            let x = (panels.count % 2 == 0) ? 0 : 12
            panels.append(.object(JSONObject([
                ("type", .string("timeseries")), ("title", .string(title)), ("id", .integer(panels.count + 1)),
                ("datasource", .object(JSONObject([("type", .string("prometheus")), ("uid", .string("${DS_PROMETHEUS}"))]))),
                ("fieldConfig", .object(JSONObject([("defaults", .object(JSONObject([("unit", .string(unit))]))),
                                                     ("overrides", .array([]))]))),
                ("gridPos", grid(x: x, y: y, w: 12, h: 8)),
                ("targets", .array(targets.enumerated().map { index, target in
                    .object(JSONObject([("expr", .string(target.expr)), ("legendFormat", .string(target.legend)),
                                        ("refId", .string(String(UnicodeScalar(UInt8(65 + index % 26)))))]))
                })),
            ])))
            y += 8
        }
        let selector = "{ident=\"\(ident)\"}"
        row("Processes")
        graph("Uptime", unit: "s", [("authmilter_uptime_seconds_total\(selector)", "uptime")])
        graph("Processes", unit: "short", [("authmilter_processes_waiting\(selector)", "waiting"),
                                             ("authmilter_processes_processing\(selector)", "processing")])
        row("Throughput")
        graph("Connections", unit: "ops", [("sum(rate(authmilter_connect_total\(selector)[5m]))", "connections")])
        graph("Mail processed", unit: "ops", [("sum by (result) (rate(authmilter_mail_processed_total\(selector)[5m]))", "{{result}}")])
        row("Errors")
        graph("Callback errors", unit: "ops", [("sum by (stage) (rate(authmilter_callback_error_total\(selector)[5m]))", "{{stage}}")])
        row("Processing time")
        graph("Time by handler", unit: "µs", [("sum by (handler) (rate(authmilter_time_microseconds_total\(selector)[5m]))", "{{handler}}")])
        graph("Callback latency p99", unit: "s", [
            ("histogram_quantile(0.99, sum by (le, callback) (rate(authmilter_callback_duration_seconds_bucket\(selector)[5m])))", "{{callback}} p99"),
        ])
        var handlerFamilies: [String: [MetricFamily]] = [:]
        for family in MetricFamily.allCases {
            if let handler = family.handler, enabledHandlers.contains(handler) { handlerFamilies[handler, default: []].append(family) }
        }
        for handler in handlerFamilies.keys.sorted() {
            row(handler)
            for family in handlerFamilies[handler]! {
                let by = family.labelNames.first.map { " by (\($0))" } ?? ""
                let legend = family.labelNames.first.map { "{{\($0)}}" } ?? family.name
                graph(family.help, unit: family.name.hasSuffix("bytes_total") ? "Bps" : "ops",
                      [("sum\(by) (rate(\(family.fullName)\(selector)[5m]))", legend)])
            }
        }
        return .object(JSONObject([
            ("title", .string("Authentication Milter (\(ident))")),
            ("uid", .string(String("authmilter-\(ident)".prefix(40)))),
            ("schemaVersion", .integer(36)), ("version", .integer(1)), ("editable", .bool(true)),
            ("time", .object(JSONObject([("from", .string("now-6h")), ("to", .string("now"))]))),
            ("refresh", .string("1m")),
            ("__inputs", .array([.object(JSONObject([
                ("name", .string("DS_PROMETHEUS")), ("label", .string("Prometheus")), ("type", .string("datasource")),
                ("pluginId", .string("prometheus")),
            ]))])),
            ("panels", .array(panels)),
        ]))
    }

    static func grid(x: Int, y: Int, w: Int, h: Int) -> JSONValue {
        .object(JSONObject([("x", .integer(x)), ("y", .integer(y)), ("w", .integer(w)), ("h", .integer(h))]))
    }
}
