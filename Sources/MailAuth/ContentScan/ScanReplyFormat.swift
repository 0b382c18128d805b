/// How one content scanner's reply is read, for the one exchange loop that
/// talks to all of them (`ScanExchange` in the scanner process): when the
/// bytes received so far are a whole reply, what they say, and how many
/// bytes a reply may take at most (more is a failure, never a longer wait).
public protocol ScanReplyFormat {
    associatedtype Verdict: Sendable & Equatable
    static var maximumBytes: Int { get }
    /// Whether `reply` is whole before the scanner closes the connection.
    static func isComplete(_ reply: [UInt8]) -> Bool
    /// What `reply` says (called when it is complete, or when the scanner
    /// closed the connection after it).
    static func parse(_ reply: [UInt8]) -> ScanOutcome<Verdict>
}

extension SpamdReply: ScanReplyFormat {}
