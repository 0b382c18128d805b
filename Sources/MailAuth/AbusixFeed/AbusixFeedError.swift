/// The one error of the Abusix feed pieces: a `feed_dest` entry that names
/// no destination, or a worker's record that does not decode in the spool.
/// `code` is what a program or a test matches; `reason` the explanation.
public struct AbusixFeedError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// A `feed_dest` entry (`entry` says which) that is not `host[:port]`.
        case invalidDestination = "invalid-destination"
        /// A record that does not decode (only a broken or subverted worker
        /// sends one).
        case malformedRecord = "malformed-record"
    }

    public let code: Code
    public let reason: String
    /// For `.invalidDestination`: the entry as written.
    public let entry: String?

    public var description: String {
        switch code {
        case .invalidDestination: "feed_dest entry '\(entry ?? "")': \(reason)"
        case .malformedRecord: "Abusix record: \(reason)"
        }
    }

    public static func invalidDestination(entry: String, reason: String) -> AbusixFeedError {
        AbusixFeedError(code: .invalidDestination, reason: reason, entry: entry)
    }

    public static func malformedRecord(_ reason: String) -> AbusixFeedError {
        AbusixFeedError(code: .malformedRecord, reason: reason, entry: nil)
    }
}
