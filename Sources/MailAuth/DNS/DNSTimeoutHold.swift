/// The Perl program's per-transaction timeout hold, as a resolver wrapper.
///
/// Mail::Milter::Authentication::Resolver remembers, for the rest of a
/// transaction, every organizational domain whose lookup timed out (or
/// answered SERVFAIL slower than `dns_servfail_timeout`), and fails later
/// lookups under it at once: a domain that just timed out will not answer
/// the next query either, and each further attempt would cost the message
/// another `dns_timeout`. The DNS helper already reports slow SERVFAILs as
/// `.timeout`, so the hold is set on `.timeout` only.
///
/// The worker wraps its resolver in one of these per connection and calls
/// `clear()` where the Perl program calls `clear_error_cache`. The
/// organizational domain comes from the caller (the public-suffix logic
/// lives with DMARC); without one, the name itself is the key.
public final class DNSTimeoutHold: DNSResolver {
    public let base: any DNSResolver
    /// `cache_dns_timeouts` (default on in the Perl program).
    public var isEnabled: Bool
    private let organizationalDomain: (String) -> String
    private let log: (String) -> Void
    public private(set) var held: Set<String> = []

    public init(base: any DNSResolver, isEnabled: Bool = true,
                organizationalDomain: @escaping (String) -> String = { $0 },
                log: @escaping (String) -> Void = { _ in }) {
        self.base = base
        self.isEnabled = isEnabled
        self.organizationalDomain = organizationalDomain
        self.log = log
    }

    /// Forgets every hold (a new transaction starts).
    public func clear() { held.removeAll() }

    public func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] {
        guard isEnabled else { return base.lookup(questions) }
        // Nothing held (the usual case): the questions go as they are, and
        // only a timeout among the answers needs more than a look.
        if held.isEmpty {
            let answers = base.lookup(questions)
            guard answers.count == questions.count, !answers.contains(.timeout) else {
                return record(answers, for: questions, asked: Array(questions.indices),
                              into: [DNSOutcome?](repeating: nil, count: questions.count))
            }
            return answers
        }
        var outcomes = [DNSOutcome?](repeating: nil, count: questions.count)
        var asked: [Int] = []
        for (index, question) in questions.enumerated() {
            let org = key(for: question.name)
            if held.contains(org) {
                log("Lookup \(question.type) \(question.name) aborted due to previous DNS Lookup timeout on \(org)")
                outcomes[index] = .timeout
            } else {
                asked.append(index)
            }
        }
        let answers = asked.isEmpty ? [] : base.lookup(asked.map { questions[$0] })
        return record(answers, for: questions, asked: asked, into: outcomes)
    }

    /// Places the answers to the `asked` questions among `outcomes`, and
    /// holds the organizational domain of every one that timed out.
    private func record(_ answers: [DNSOutcome], for questions: [DNSQuestion], asked: [Int],
                        into outcomes: [DNSOutcome?]) -> [DNSOutcome] {
        var outcomes = outcomes
        for (position, index) in asked.enumerated() {
            let outcome = position < answers.count ? answers[position] : .error("resolver returned no outcome")
            outcomes[index] = outcome
            if outcome == .timeout {
                let org = key(for: questions[index].name)
                if held.insert(org).inserted {
                    log("DNS Lookup \(questions[index].type) \(questions[index].name) error, hold set on \(org) : query timed out")
                }
            }
        }
        return outcomes.map { $0 ?? .timeout }
    }

    private func key(for name: String) -> String {
        DNSName.normalized(organizationalDomain(DNSName.normalized(name)))
    }
}
