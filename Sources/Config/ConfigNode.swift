/// Which file a piece of configuration came from, with the positions its
/// parser recorded.
import JSON

public struct ConfigOrigin: Sendable {
    public var file: String
    public var sourceMap: JSONSourceMap?

    public init(file: String, sourceMap: JSONSourceMap? = nil) {
        self.file = file
        self.sourceMap = sourceMap
    }
}

/// A value in a configuration file together with its key path and origin,
/// so every read can fail with file, line, column and key. Handlers read
/// their own `handlers.<Name>` block through this too.
///
/// The typed reads are as loose as the Perl milter, which uses whatever it
/// finds in boolean or numeric context: booleans may be `true`/`false`,
/// numbers (0 is false) or the strings `"0"`, `"1"` and `""`; numbers may be
/// strings of digits (`"10"`); strings may be numbers. Anything else of the
/// wrong type is refused rather than guessed at (Perl would silently take
/// `"abc"` as 0, and the string `"false"` as true). `null` reads as absent.
public struct ConfigNode: Sendable {
    public let value: JSONValue
    /// The key path used in messages, e.g. `handlers.SPF`.
    public let path: JSONPath
    /// The same value's path inside its file (differs for
    /// `authentication_milter.d/SPF.json`, whose root is `handlers.SPF`).
    public let sourcePath: JSONPath
    public let origin: ConfigOrigin

    public init(value: JSONValue, origin: ConfigOrigin, path: JSONPath = .root, sourcePath: JSONPath = .root) {
        self.value = value
        self.origin = origin
        self.path = path
        self.sourcePath = sourcePath
    }

    public var position: JSONSourcePosition? { origin.sourceMap?.position(of: sourcePath) }

    public var isNull: Bool { value.isNull }

    /// An error at this key.
    public func error(_ code: ConfigurationError.Code, _ message: String) -> ConfigurationError {
        ConfigurationError(code, file: origin.file, position: position, keyPath: path.description, message: message)
    }

    /// A value this key does not take (`.invalidValue`), the usual error.
    public func error(_ message: String) -> ConfigurationError {
        error(.invalidValue, message)
    }

    /// A warning in the same format as errors.
    public func warning(_ message: String) -> String {
        ConfigurationError.format(file: origin.file, position: position, keyPath: path.description, message: message)
    }

    // MARK: Structure

    /// The member `key`, or nil when this is not an object or has no such key.
    public func child(_ key: String) -> ConfigNode? {
        guard let member = value[key] else { return nil }
        return ConfigNode(value: member, origin: origin, path: path.appending(key), sourcePath: sourcePath.appending(key))
    }

    /// Members in file order; empty when this is not an object.
    public var members: [(key: String, node: ConfigNode)] {
        guard let object = value.objectValue else { return [] }
        return object.map { member in
            (member.key, ConfigNode(value: member.value, origin: origin, path: path.appending(member.key),
                                    sourcePath: sourcePath.appending(member.key)))
        }
    }

    /// Elements in order; empty when this is not an array.
    public var elements: [ConfigNode] {
        guard let array = value.arrayValue else { return [] }
        return array.indices.map { i in
            ConfigNode(value: array[i], origin: origin, path: path.appending(index: i),
                       sourcePath: sourcePath.appending(index: i))
        }
    }

    /// One warning per member whose key is not in `known`.
    public func unknownKeyWarnings(known: Set<String>) -> [String] {
        members.filter { !known.contains($0.key) }.map { $0.node.warning("unknown key, ignored") }
    }

    // MARK: Reads of this value

    public func requireObject() throws(ConfigurationError) -> JSONObject {
        guard let object = value.objectValue else { throw error(.wrongType, "expected an object, got \(value.typeDescription)") }
        return object
    }

    public func boolValue() throws(ConfigurationError) -> Bool {
        switch value {
        case .bool(let b): return b
        case .number(let n): return n.doubleValue != 0
        case .string(let s) where s == "" || s == "0": return false
        case .string(let s) where s == "1": return true
        default:
            throw error(.wrongType, "expected a boolean (true, false, 0 or 1), got \(value.typeDescription)")
        }
    }

    public func integerValue(in range: ClosedRange<Int>? = nil) throws(ConfigurationError) -> Int {
        let result: Int
        switch value {
        case .number(let n):
            guard let whole = n.integerValue else { throw error(.wrongType, "expected a whole number, got \(n.literal)") }
            result = whole
        case .string(let s):
            let trimmed = ConfigNode.trimmed(s)
            guard let number = JSONNumber(literal: trimmed) else {
                throw error(.wrongType, "expected a number, got \(value.typeDescription)")
            }
            guard let whole = number.integerValue else { throw error(.wrongType, "expected a whole number, got \(value.typeDescription)") }
            result = whole
        default:
            throw error(.wrongType, "expected a number, got \(value.typeDescription)")
        }
        if let range, !range.contains(result) { throw error(.outOfRange, ConfigNode.rangeMessage(range, result)) }
        return result
    }

    public func numberValue(in range: ClosedRange<Double>? = nil) throws(ConfigurationError) -> Double {
        let result: Double
        switch value {
        case .number(let n):
            result = n.doubleValue
        case .string(let s):
            guard let number = JSONNumber(literal: ConfigNode.trimmed(s)) else {
                throw error(.wrongType, "expected a number, got \(value.typeDescription)")
            }
            result = number.doubleValue
        default:
            throw error(.wrongType, "expected a number, got \(value.typeDescription)")
        }
        if let range, !range.contains(result) {
            throw error(.outOfRange, "must be from \(JSONNumber(range.lowerBound)) to \(JSONNumber(range.upperBound)), got \(JSONNumber(result))")
        }
        return result
    }

    public func stringValue() throws(ConfigurationError) -> String {
        switch value {
        case .string(let s): return s
        case .number(let n): return n.literal
        default: throw error(.wrongType, "expected a string, got \(value.typeDescription)")
        }
    }

    public func stringArrayValue() throws(ConfigurationError) -> [String] {
        guard case .array = value else { throw error(.wrongType, "expected an array of strings, got \(value.typeDescription)") }
        var strings: [String] = []
        for element in elements { strings.append(try element.stringValue()) }
        return strings
    }

    // MARK: Reads of a member; nil when missing or null

    private func present(_ key: String) -> ConfigNode? {
        guard let node = child(key), !node.isNull else { return nil }
        return node
    }

    public func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        try present(key)?.boolValue()
    }

    public func integer(_ key: String, in range: ClosedRange<Int>? = nil) throws(ConfigurationError) -> Int? {
        try present(key)?.integerValue(in: range)
    }

    public func number(_ key: String, in range: ClosedRange<Double>? = nil) throws(ConfigurationError) -> Double? {
        try present(key)?.numberValue(in: range)
    }

    public func string(_ key: String) throws(ConfigurationError) -> String? {
        try present(key)?.stringValue()
    }

    /// Like `string`, but an empty string also reads as absent: the Perl
    /// milter tests these keys for truth, so `""` means "not set".
    public func nonEmptyString(_ key: String) throws(ConfigurationError) -> String? {
        guard let text = try string(key), !text.isEmpty else { return nil }
        return text
    }

    public func stringArray(_ key: String) throws(ConfigurationError) -> [String]? {
        try present(key)?.stringArrayValue()
    }

    /// The member as an object node; an error if it is something else.
    public func object(_ key: String) throws(ConfigurationError) -> ConfigNode? {
        guard let node = present(key) else { return nil }
        _ = try node.requireObject()
        return node
    }

    // MARK: Helpers

    static func trimmed(_ text: String) -> String {
        // Perl's numeric conversion skips leading whitespace; trailing
        // whitespace is harmless too.
        var scalars = Substring(text).unicodeScalars
        while let first = scalars.first, first == " " || first == "\t" || first == "\n" || first == "\r" {
            scalars.removeFirst()
        }
        while let last = scalars.last, last == " " || last == "\t" || last == "\n" || last == "\r" {
            scalars.removeLast()
        }
        return String(scalars)
    }

    static func rangeMessage(_ range: ClosedRange<Int>, _ value: Int) -> String {
        if range.upperBound == Int.max { return "must be at least \(range.lowerBound), got \(value)" }
        return "must be from \(range.lowerBound) to \(range.upperBound), got \(value)"
    }
}
