/// Why a per-message log line could not be read back (the
/// `authentication_milter_log` tool, its tests). One code per cause, the
/// words for the operator in `reason`.
public struct MessageLogError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// No ` ARex: ` marker on the line, or nothing after it.
        case notARex = "not-arex"
        /// The text after the marker is not JSON.
        case invalidJSON = "invalid-json"
        /// JSON, but not the shape Perl's `_as_hashref` writes.
        case malformed
        /// Longer than `ARexLine.maximumBytes`.
        case tooLong = "too-long"
    }

    public var code: Code
    public var reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }
}
