import JSON

/// What the spool tells the master about its deferred work, for the
/// metrics endpoint (`HelperToMaster.dequeueState`): per queue (`key`,
/// Perl's dequeue key: `dmarc_report`) how many entries wait, and the
/// result of the run just finished, if any. Small and checked: a spool is
/// jailed and could be subverted, so the master takes only known keys and
/// results and counts no higher than `maximumWaiting`.
public struct DequeueState: Sendable, Equatable {
    public static let keys: Set<String> = ["dmarc_report"]
    public static let results: Set<String> = ["done", "partial", "timeout", "failed"]
    public static let maximumWaiting = 100_000_000
    public static let maximumEncodedBytes = 256

    public var key: String
    public var waiting: Int
    /// `DequeueSchedule.Result`'s raw value, nil when no run ended.
    public var run: String?

    public init(key: String, waiting: Int, run: String?) {
        self.key = key
        self.waiting = waiting
        self.run = run
    }

    public func encoded() -> [UInt8] {
        var object = JSONObject([("key", .string(key)), ("waiting", .integer(min(waiting, Self.maximumWaiting)))])
        if let run { object["run"] = .string(run) }
        return JSONSerializer.serialize(.object(object), sortKeys: true)
    }

    public init(encoded bytes: [UInt8]) throws(IPCError) {
        guard bytes.count <= Self.maximumEncodedBytes else {
            throw IPCError.tooLarge(kind: "dequeue state", payload: bytes.count, limit: Self.maximumEncodedBytes)
        }
        guard let value = try? JSONParser.parse(bytes), let key = value["key"]?.stringValue, Self.keys.contains(key),
              let waiting = value["waiting"]?.numberValue.flatMap({ Int(exactly: $0.doubleValue) }),
              (0...Self.maximumWaiting).contains(waiting) else {
            throw IPCError.malformed("dequeue state without a known key or a waiting count")
        }
        let run = value["run"]?.stringValue
        if let run, !Self.results.contains(run) { throw IPCError.malformed("dequeue state with an unknown run result") }
        self.init(key: key, waiting: waiting, run: run)
    }
}
