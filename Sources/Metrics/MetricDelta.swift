/// The counter-delta message a worker sends its master
/// (`WorkerToMaster.metrics`): a run of entries, each
///
///     kind (1 counter, 2 histogram) · family code · label count ·
///     label count × (length byte, UTF-8 bytes) ·
///     counter: value (8 bytes, big-endian)
///     histogram: bucket count · bucket count × 4-byte count · 8-byte sum (µs)
///
/// Typed and bounded so a subverted worker can make the master add only to
/// the families it knows, with their label names, at most
/// `maximumEntries` entries of at most `maximumLabelBytes` per value.
public enum MetricDelta {
    public static let maximumLabelBytes = 64
    public static let maximumEntries = 4096

    public enum Value: Equatable, Sendable {
        case counter(UInt64)
        case histogram(buckets: [UInt32], sumMicroseconds: UInt64)
    }

    public struct Entry: Equatable, Sendable {
        public var family: MetricFamily
        /// Raw values in `family.labelNames` order; empty means absent.
        public var labels: [String]
        public var value: Value

        public init(family: MetricFamily, labels: [String], value: Value) {
            self.family = family
            self.labels = labels
            self.value = value
        }
    }

    /// Builds a payload; an entry that would pass `limit` is left out.
    /// Entries are written in place (no array per entry): one payload
    /// per connection, so this is on the mail path.
    public struct Writer {
        public private(set) var bytes: [UInt8] = []
        let limit: Int

        public init(limit: Int) {
            self.limit = limit
            bytes.reserveCapacity(min(limit, 4096))
        }

        public mutating func counter(_ family: MetricFamily, labels: [String], value: UInt64) {
            let start = bytes.count
            bytes.append(1)
            appendHead(family, labels)
            appendUInt64(value)
            if bytes.count > limit { bytes.removeSubrange(start...) }
        }

        public mutating func histogram(_ family: MetricFamily, labels: [String], buckets: ArraySlice<UInt32>, sumMicroseconds: UInt64) {
            let start = bytes.count
            bytes.append(2)
            appendHead(family, labels)
            bytes.append(UInt8(truncatingIfNeeded: buckets.count))
            for count in buckets {
                bytes.append(UInt8(truncatingIfNeeded: count >> 24))
                bytes.append(UInt8(truncatingIfNeeded: count >> 16))
                bytes.append(UInt8(truncatingIfNeeded: count >> 8))
                bytes.append(UInt8(truncatingIfNeeded: count))
            }
            appendUInt64(sumMicroseconds)
            if bytes.count > limit { bytes.removeSubrange(start...) }
        }

        mutating func appendHead(_ family: MetricFamily, _ labels: [String]) {
            let names = family.labelCount
            bytes.append(family.rawValue)
            bytes.append(UInt8(names))
            for index in 0..<names {
                let value = index < labels.count ? labels[index] : ""
                // Cut at a byte count, not a character: the master cleans
                // every byte outside [a-z0-9] anyway.
                let raw = value.utf8.prefix(MetricDelta.maximumLabelBytes)
                bytes.append(UInt8(raw.count))
                bytes.append(contentsOf: raw)
            }
        }

        mutating func appendUInt64(_ value: UInt64) {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
    }

    /// Reads a payload whole, or refuses it with the first fault found.
    public static func decode(_ payload: [UInt8]) throws(MetricsError) -> [Entry] {
        var entries: [Entry] = []
        var position = 0
        func take(_ count: Int) throws(MetricsError) -> ArraySlice<UInt8> {
            guard count <= payload.count - position else { throw MetricsError(.truncated, "delta ends inside an entry at byte \(position)") }
            defer { position += count }
            return payload[position..<(position + count)]
        }
        func uint64() throws(MetricsError) -> UInt64 {
            try take(8).reduce(0) { ($0 << 8) | UInt64($1) }
        }
        while position < payload.count {
            guard entries.count < maximumEntries else { throw MetricsError(.tooManyEntries, "more than \(maximumEntries) entries") }
            let kind = try take(1).first!
            guard kind == 1 || kind == 2 else { throw MetricsError(.unknownEntryKind, "entry kind \(kind)") }
            let code = try take(1).first!
            guard let family = MetricFamily(rawValue: code), family.countedByWorkers else {
                throw MetricsError(.unknownFamily, "family code \(code)")
            }
            guard (kind == 2) == (family.kind == .histogram) else {
                throw MetricsError(.kindMismatch, "\(family.name) is a \(family.kind.rawValue)")
            }
            let labelCount = Int(try take(1).first!)
            guard labelCount == family.labelCount else {
                throw MetricsError(.labelCount, "\(family.name) has \(family.labelNames.count) labels, not \(labelCount)")
            }
            var labels: [String] = []
            for _ in 0..<labelCount {
                let length = Int(try take(1).first!)
                guard length <= maximumLabelBytes else { throw MetricsError(.labelTooLong, "label value of \(length) bytes") }
                labels.append(String(decoding: try take(length), as: UTF8.self))
            }
            if kind == 1 {
                entries.append(Entry(family: family, labels: labels, value: .counter(try uint64())))
            } else {
                let bucketCount = Int(try take(1).first!)
                guard bucketCount == MetricHistogramBounds.bucketCount else {
                    throw MetricsError(.bucketCount, "\(bucketCount) buckets, not \(MetricHistogramBounds.bucketCount)")
                }
                var buckets: [UInt32] = []
                for _ in 0..<bucketCount { buckets.append(try take(4).reduce(0) { ($0 << 8) | UInt32($1) }) }
                entries.append(Entry(family: family, labels: labels, value: .histogram(buckets: buckets, sumMicroseconds: try uint64())))
            }
        }
        return entries
    }
}
