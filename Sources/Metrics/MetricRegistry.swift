/// The master's metrics: every worker's deltas summed, its own counters and
/// gauges, and the Prometheus text format of all of it as Perl's
/// Prometheus::Tiny writes it (families by name, `# HELP` then `# TYPE`,
/// series by their label text, label names sorted, `ident` on each).
public struct MetricRegistry: Sendable {
    struct Histogram: Sendable {
        var buckets: [UInt64]
        var sumMicroseconds: UInt64
    }

    /// `clean_label` of the ident, on every series.
    public let ident: String
    /// A bound on distinct series, so a subverted worker inventing label
    /// values cannot grow the master without end; what passes it is
    /// dropped (and counted in `droppedSeries`).
    public let maximumSeries: Int
    public private(set) var droppedSeries = 0
    var counters: [MetricFamily: [String: UInt64]] = [:]
    var histograms: [MetricFamily: [String: Histogram]] = [:]
    var seriesCount = 0

    public init(ident: String, maximumSeries: Int = 20_000) {
        self.ident = MetricLabel.clean(ident)
        self.maximumSeries = maximumSeries
    }

    /// Perl's `register_metrics`: each counter of the core and of the
    /// enabled handlers starts as a `{ident}` series at 0.
    public mutating func register(enabledHandlers: Set<String>) {
        for family in MetricFamily.allCases where family.kind == .counter && family.countedByWorkers {
            if let handler = family.handler, !enabledHandlers.contains(handler) { continue }
            add(family, labels: [], value: 0)
        }
        add(.forkedChildren, labels: [], value: 0)
        add(.reapedChildren, labels: [], value: 0)
    }

    /// The series' label text: the cleaned values with their names and
    /// `ident`, sorted by name; an empty raw value is an absent label.
    func labelText(_ family: MetricFamily, _ values: [String]) -> String {
        var pairs: [(String, String)] = [("ident", ident)]
        for (name, value) in zip(family.labelNames, values) where !value.isEmpty {
            pairs.append((name, MetricLabel.clean(value)))
        }
        pairs.sort { $0.0 < $1.0 }
        return pairs.map { "\($0.0)=\"\(MetricLabel.escape($0.1))\"" }.joined(separator: ",")
    }

    public mutating func add(_ family: MetricFamily, labels: [String], value: UInt64) {
        let text = labelText(family, labels)
        if counters[family]?[text] == nil {
            guard seriesCount < maximumSeries else { droppedSeries += 1; return }
            seriesCount += 1
        }
        counters[family, default: [:]][text, default: 0] &+= value
    }

    public mutating func observe(_ family: MetricFamily, labels: [String], buckets: [UInt32], sumMicroseconds: UInt64) {
        guard buckets.count == MetricHistogramBounds.bucketCount else { return }
        let text = labelText(family, labels)
        if histograms[family]?[text] == nil {
            guard seriesCount < maximumSeries else { droppedSeries += 1; return }
            seriesCount += 1
            histograms[family, default: [:]][text] = Histogram(buckets: Array(repeating: 0, count: buckets.count), sumMicroseconds: 0)
        }
        var histogram = histograms[family]![text]!
        for (index, count) in buckets.enumerated() { histogram.buckets[index] &+= UInt64(count) }
        histogram.sumMicroseconds &+= sumMicroseconds
        histograms[family]![text] = histogram
    }

    /// Adds a worker's delta (already decoded, so already checked).
    public mutating func merge(_ entries: [MetricDelta.Entry]) {
        for entry in entries {
            switch entry.value {
            case .counter(let value): add(entry.family, labels: entry.labels, value: value)
            case .histogram(let buckets, let sum): observe(entry.family, labels: entry.labels, buckets: buckets, sumMicroseconds: sum)
            }
        }
    }

    /// Sets a series to `value` (the spool's dequeue snapshot: a count of
    /// the moment, not a sum of deltas).
    public mutating func set(_ family: MetricFamily, labels: [String], value: UInt64) {
        let text = labelText(family, labels)
        if counters[family]?[text] == nil {
            guard seriesCount < maximumSeries else { droppedSeries += 1; return }
            seriesCount += 1
        }
        counters[family, default: [:]][text] = value
    }

    /// The text format, with the master's gauges of the moment.
    public func render(uptimeSeconds: Int, waiting: Int, processing: Int) -> String {
        var lines: [(name: String, text: String)] = []
        let identOnly = "ident=\"\(MetricLabel.escape(ident))\""
        func family(_ family: MetricFamily, samples: [String]) {
            var text = "# HELP \(family.fullName) \(family.help)\n# TYPE \(family.fullName) \(family.kind.rawValue)\n"
            for sample in samples { text += sample + "\n" }
            lines.append((family.fullName, text))
        }
        family(.uptime, samples: ["\(MetricFamily.uptime.fullName){\(identOnly)} \(uptimeSeconds)"])
        family(.processesWaiting, samples: ["\(MetricFamily.processesWaiting.fullName){\(identOnly)} \(waiting)"])
        family(.processesProcessing, samples: ["\(MetricFamily.processesProcessing.fullName){\(identOnly)} \(processing)"])
        for (counterFamily, series) in counters {
            family(counterFamily, samples: series.keys.sorted().map { "\(counterFamily.fullName){\($0)} \(series[$0]!)" })
        }
        for (histogramFamily, series) in histograms {
            var samples: [String] = []
            let name = histogramFamily.fullName
            for labels in series.keys.sorted() {
                let histogram = series[labels]!
                var cumulative: UInt64 = 0
                for (index, count) in histogram.buckets.enumerated() {
                    cumulative &+= count
                    samples.append("\(name)_bucket{\(labels),le=\"\(MetricHistogramBounds.leLabel(index))\"} \(cumulative)")
                }
                samples.append("\(name)_sum{\(labels)} \(MetricNumber.seconds(microseconds: histogram.sumMicroseconds))")
                samples.append("\(name)_count{\(labels)} \(cumulative)")
            }
            family(histogramFamily, samples: samples)
        }
        return lines.sorted { $0.name < $1.name }.map(\.text).joined()
    }

    /// A counter's value (tests, the e2e's sums): the series with exactly
    /// these raw label values.
    public func value(_ family: MetricFamily, labels: [String] = []) -> UInt64? {
        counters[family]?[labelText(family, labels)]
    }
}
