/// A resolver for one piece of work (one message's DMARC evaluations) that
/// remembers every outcome it was given, so questions can be asked ahead
/// in one batch and then answered from memory:
///
///     let dns = DNSPrefetchResolver(upstream: session.resolver)
///     dns.prefetch(domains.flatMap { evaluator.questions(forFromDomain: $0) })
///     // evaluations over `dns` now ask the upstream only for what is new
///
/// Why: evaluated one after the other, N From domains whose `_dmarc`
/// lookups go unanswered cost N timeouts; prefetched, one. A timeout or
/// SERVFAIL is remembered too: asking again within the same message would
/// only cost the same wait again.
///
/// Questions are matched by their normalized form (case, trailing dot).
/// Not thread-safe: one caller at a time, and dropped when the work ends.
public final class DNSPrefetchResolver: DNSResolver {
    public let upstream: any DNSResolver
    private var known: [DNSQuestion: DNSOutcome] = [:]
    /// Up to this many questions, repeats are looked for linearly.
    static let smallBatch = 32

    public init(upstream: any DNSResolver) {
        self.upstream = upstream
    }

    /// Asks the upstream, in one batch, every question not yet answered.
    public func prefetch(_ questions: [DNSQuestion]) {
        _ = lookup(questions)
    }

    public func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] {
        let keys = questions.map(\.normalized)
        var missing: [DNSQuestion] = []
        if keys.count <= Self.smallBatch {
            // A handful of questions (the usual batch): a repeat is found
            // by looking through the few missing ones, not by hashing each
            // into a set (issue 12).
            for key in keys where known[key] == nil && !missing.contains(key) {
                missing.append(key)
            }
        } else {
            var asked = Set<DNSQuestion>()
            for key in keys where known[key] == nil && asked.insert(key).inserted {
                missing.append(key)
            }
        }
        if !missing.isEmpty {
            let outcomes = upstream.lookup(missing)
            for (index, question) in missing.enumerated() {
                known[question] = index < outcomes.count ? outcomes[index] : .error("resolver returned no outcome")
            }
        }
        return keys.map { known[$0] ?? .error("resolver returned no outcome") }
    }
}
