/// Why a counter delta from a worker or an HTTP request was refused.
public struct MetricsError: Error, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The delta ends inside an entry.
        case truncated
        /// An entry kind other than counter or histogram.
        case unknownEntryKind
        /// A family code no one knows, or one only the master keeps.
        case unknownFamily
        /// A counter entry for a histogram family or the other way round.
        case kindMismatch
        /// Not the family's number of labels, or of histogram buckets.
        case labelCount
        case bucketCount
        /// A label value longer than `MetricDelta.maximumLabelBytes`.
        case labelTooLong
        /// More entries than `MetricDelta.maximumEntries`.
        case tooManyEntries
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "metrics: \(reason)" }
}
