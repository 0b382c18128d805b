/// A JSON object that remembers key order. Order matters to us: handlers are
/// listed in the order the operator wrote them, and `-h default_config` and
/// the configuration handed to children should read like the source.
public struct JSONObject: Sendable, Equatable, Sequence {
    public private(set) var keys: [String] = []
    private var storage: [String: JSONValue] = [:]

    public init() {}

    /// Later duplicates replace the value but keep the first key's position,
    /// which is what Perl's JSON decoders do with a hash.
    public init(_ pairs: [(String, JSONValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public subscript(key: String) -> JSONValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    public func contains(_ key: String) -> Bool { storage[key] != nil }

    public func makeIterator() -> AnyIterator<(key: String, value: JSONValue)> {
        var index = 0
        return AnyIterator {
            guard index < keys.count else { return nil }
            let key = keys[index]
            index += 1
            return (key, storage[key]!)
        }
    }

    /// The same members with keys in byte order, like Perl's `canonical`.
    public func sortedByKey() -> JSONObject {
        var sorted = JSONObject()
        for key in keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            sorted[key] = storage[key]
        }
        return sorted
    }
}
