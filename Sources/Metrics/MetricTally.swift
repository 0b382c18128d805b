/// What one worker counted since it last reported: handler counters keyed
/// by family and raw label values, the time each handler spent in each
/// callback and the latency histogram of each callback, in flat arrays
/// indexed by small integers (no string is built while counting). The
/// worker sends it to the master with each connection's `done`
/// (`takeDelta`) and starts again from zero.
public final class MetricTally {
    public struct SeriesKey: Hashable, Sendable {
        public var family: MetricFamily
        public var labels: [String]
    }

    /// The handlers' names, in the order the dispatcher calls them.
    public let handlerNames: [String]
    var counters: [SeriesKey: UInt64] = [:]
    /// Microseconds per callback × handler: `callback * handlers + handler`.
    var handlerMicroseconds: [UInt64]
    /// Observations per callback × bucket, and their sum per callback.
    var stageBuckets: [UInt32]
    var stageMicroseconds: [UInt64]
    var stageObserved: [Bool]
    public private(set) var isEmpty = true

    public init(handlerNames: [String]) {
        self.handlerNames = handlerNames
        handlerMicroseconds = Array(repeating: 0, count: MetricCallback.allCases.count * handlerNames.count)
        stageBuckets = Array(repeating: 0, count: MetricCallback.allCases.count * MetricHistogramBounds.bucketCount)
        stageMicroseconds = Array(repeating: 0, count: MetricCallback.allCases.count)
        stageObserved = Array(repeating: false, count: MetricCallback.allCases.count)
    }

    /// Adds `amount` to a handler's counter. Labels are the raw values in
    /// `family.labelNames` order (the master cleans them); extra ones are
    /// ignored, missing ones are absent labels.
    public func count(_ family: MetricFamily, _ labels: [String] = [], by amount: UInt64 = 1) {
        counters[SeriesKey(family: family, labels: labels), default: 0] &+= amount
        isEmpty = false
    }

    public func addHandlerTime(_ callback: MetricCallback, handler: Int, microseconds: UInt64) {
        guard handler >= 0 && handler < handlerNames.count else { return }
        handlerMicroseconds[callback.rawValue * handlerNames.count + handler] &+= microseconds
        isEmpty = false
    }

    public func observe(_ callback: MetricCallback, microseconds: UInt64) {
        let bucket = MetricHistogramBounds.bucket(ofMicroseconds: microseconds)
        stageBuckets[callback.rawValue * MetricHistogramBounds.bucketCount + bucket] &+= 1
        stageMicroseconds[callback.rawValue] &+= microseconds
        stageObserved[callback.rawValue] = true
        isEmpty = false
    }

    /// Everything counted so far as one delta payload of at most
    /// `limit` bytes (entries that do not fit are dropped), and zero again.
    public func takeDelta(limit: Int) -> [UInt8] {
        var writer = MetricDelta.Writer(limit: limit)
        for (key, value) in counters {
            writer.counter(key.family, labels: key.labels, value: value)
        }
        let callbacks = MetricCallback.allCases
        for callback in callbacks {
            for (index, name) in handlerNames.enumerated() {
                let value = handlerMicroseconds[callback.rawValue * handlerNames.count + index]
                if value > 0 { writer.counter(.timeMicroseconds, labels: [callback.label, name], value: value) }
            }
            if stageObserved[callback.rawValue] {
                let start = callback.rawValue * MetricHistogramBounds.bucketCount
                writer.histogram(.callbackDuration, labels: [callback.label],
                                 buckets: stageBuckets[start..<(start + MetricHistogramBounds.bucketCount)],
                                 sumMicroseconds: stageMicroseconds[callback.rawValue])
            }
        }
        counters.removeAll(keepingCapacity: true)
        for i in handlerMicroseconds.indices { handlerMicroseconds[i] = 0 }
        for i in stageBuckets.indices { stageBuckets[i] = 0 }
        for i in stageMicroseconds.indices { stageMicroseconds[i] = 0; stageObserved[i] = false }
        isEmpty = true
        return writer.bytes
    }
}
