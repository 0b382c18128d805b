/// Follows CNAME chains for one question across one or more responses.
///
/// A recursive resolver normally returns the whole chain in one answer; an
/// authoritative server (or a resolver that stopped early) may return only
/// the first links. The follower walks whatever chain the response holds,
/// starting at the name it is currently at, and either finishes or says
/// which name to ask next. At most `maximumLinks` CNAMEs are followed and a
/// name seen twice is a loop; both end in SERVFAIL, which is what a
/// recursive resolver reports for them. Pure state machine, no I/O.
public struct DNSChainFollower: Sendable {
    public static let maximumLinks = 8

    public enum Step: Hashable, Sendable {
        /// Done. `ttl` is how long DNS allows the outcome to be cached
        /// (answers: their TTL; negative answers: RFC 2308 TTL capped by
        /// the chain; failures: 0).
        case finished(DNSOutcome, ttl: UInt32)
        /// The chain leaves this response: ask this question next.
        case ask(DNSQuestion)
    }

    public let question: DNSQuestion
    /// Where the chain currently is (normalized).
    public private(set) var currentName: String
    /// CNAMEs followed so far.
    public private(set) var links = 0
    private var visited: Set<String>
    /// Smallest TTL of the CNAMEs followed: the answer cannot outlive them.
    private var chainTTL: UInt32 = .max

    public init(question: DNSQuestion) {
        self.question = question
        let start = DNSName.normalized(question.name)
        currentName = start
        visited = [start]
    }

    /// The question to send for the current position of the chain.
    public var currentQuestion: DNSQuestion {
        DNSQuestion(name: currentName, type: question.type)
    }

    public mutating func interpret(_ message: DNSResponseMessage) -> Step {
        guard message.rcode.isAnswer else {
            return .finished(message.rcode == .serverFailure ? .servfail : .error(message.rcode.description), ttl: 0)
        }
        let type = question.type
        var followedHere = false
        while true {
            let here = currentName
            let owned = message.answers.filter { DNSName.normalized($0.owner) == here }
            let matching = owned.filter { $0.record.type == type }
            if !matching.isEmpty {
                let ttl = min(chainTTL, matching.map(\.ttl).min() ?? 0)
                return .finished(.answer(matching.map(\.record), ttl: ttl), ttl: ttl)
            }
            guard type != .cname, let link = owned.first(where: { $0.record.type == .cname }),
                  case .cname(let target) = link.record else { break }
            let next = DNSName.normalized(target)
            links += 1
            guard links <= DNSChainFollower.maximumLinks, !visited.contains(next) else {
                return .finished(.servfail, ttl: 0)
            }
            visited.insert(next)
            chainTTL = min(chainTTL, link.ttl)
            currentName = next
            followedHere = true
        }
        // Nothing of the type at the end of the chain held by this response.
        if message.rcode == .nameError {
            // RFC 6604: the RCODE describes the last name of the chain.
            return .finished(.nxdomain, ttl: min(chainTTL, message.negativeTTL))
        }
        if followedHere && message.authoritySOA == nil {
            // The server handed over the chain without chasing it (no SOA
            // saying "the target has no such data"): continue ourselves.
            return .ask(currentQuestion)
        }
        return .finished(.nodata, ttl: min(chainTTL, message.negativeTTL))
    }
}
