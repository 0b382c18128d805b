/// The one error of the BlockerRules module: a rule file that is not the
/// TOML subset Blocker files use (with its line and column), a rule left
/// out or ignored, or a rule set that does not fit or does not decode on
/// the way to a worker. `code` is what a program or a test matches;
/// `reason` is the explanation; `description` the log line.
public struct BlockerRulesError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// Not the TOML subset (`line`, `column` say where).
        case syntax
        /// A rule without `callback`, `value` or `with`: left out.
        case missingKey = "missing-key"
        /// A `value` that is not a regex this milter reads: left out.
        case invalidRegex = "invalid-regex"
        /// A key outside any `[rule]` table: ignored.
        case topLevelKey = "top-level-key"
        /// A callback no stage has: the rule never matches.
        case unknownCallback = "unknown-callback"
        /// The rule set's wire form does not decode (`offset` says where).
        case malformedWire = "malformed-wire"
        /// More rules, a longer field or more bytes than a worker takes.
        case tooManyRules = "too-many-rules"
        case fieldTooLong = "field-too-long"
        case tooLarge = "too-large"
    }

    public let code: Code
    public let reason: String
    /// For `.syntax`: where in the file (1-based).
    public let line: Int?
    public let column: Int?
    /// For `.malformedWire`: the byte where decoding stopped.
    public let offset: Int?

    public init(_ code: Code, _ reason: String, line: Int? = nil, column: Int? = nil, offset: Int? = nil) {
        self.code = code
        self.reason = reason
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// For `.syntax`, the same as `reason`.
    public var message: String { reason }

    public var description: String {
        switch code {
        case .syntax: "line \(line ?? 0), column \(column ?? 0): \(reason)"
        case .malformedWire: "blocker rules message at byte \(offset ?? 0): \(reason)"
        default: reason
        }
    }

    public static func syntax(line: Int, column: Int, message: String) -> BlockerRulesError {
        BlockerRulesError(.syntax, message, line: line, column: column)
    }

    public static func missing(id: String, key: String) -> BlockerRulesError {
        BlockerRulesError(.missingKey, "rule [\(id)] has no '\(key)'; left out")
    }

    public static func invalidRegex(id: String, value: String, reason: String) -> BlockerRulesError {
        BlockerRulesError(.invalidRegex, "rule [\(id)]: value '\(value)' is not a regex this milter reads (\(reason)); left out")
    }

    public static func topLevelKey(key: String) -> BlockerRulesError {
        BlockerRulesError(.topLevelKey, "key '\(key)' outside any [rule] table ignored")
    }

    public static func unknownCallback(id: String, callback: String) -> BlockerRulesError {
        BlockerRulesError(.unknownCallback,
                          "rule [\(id)]: callback '\(callback)' is none of \(BlockerCallback.allCases.map(\.rawValue).joined(separator: ", ")); it never matches")
    }

    public static func malformedWire(offset: Int, reason: String) -> BlockerRulesError {
        BlockerRulesError(.malformedWire, reason, offset: offset)
    }

    public static func tooManyRules(_ count: Int) -> BlockerRulesError {
        BlockerRulesError(.tooManyRules, "\(count) rules, more than the \(BlockerRuleWire.maximumRules) a worker takes")
    }

    public static func fieldTooLong(id: String, bytes: Int) -> BlockerRulesError {
        BlockerRulesError(.fieldTooLong, "rule [\(id)] has a field of \(bytes) bytes, more than \(BlockerRuleWire.maximumFieldBytes)")
    }

    public static func tooLarge(_ bytes: Int) -> BlockerRulesError {
        BlockerRulesError(.tooLarge, "the rules take \(bytes) bytes, more than the \(BlockerRuleWire.maximumBytes) a worker takes")
    }
}
