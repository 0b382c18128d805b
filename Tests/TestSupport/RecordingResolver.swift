import MailAuth

/// A resolver that records every batch of questions it is asked, then
/// answers from another resolver (usually an in-memory zone): how tests
/// show what was looked up, and in how many batches.
public final class RecordingResolver: DNSResolver {
    public let upstream: any DNSResolver
    public private(set) var batches: [[DNSQuestion]] = []

    public init(_ upstream: any DNSResolver) { self.upstream = upstream }

    public func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] {
        batches.append(questions)
        return upstream.lookup(questions)
    }

    /// Every question of every batch.
    public var questionCount: Int { batches.reduce(0) { $0 + $1.count } }
}
