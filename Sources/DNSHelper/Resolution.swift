import MailAuth
import ProcessLog

/// Everything the helper does for one distinct question, however many
/// workers asked it: the waiters to answer, the CNAME chain followed so
/// far, the upstream query for the current link, and one deadline
/// (`dns_timeout`) for the whole thing.
final class Resolution {
    struct Waiter {
        var channel: UInt64
        var id: UInt32
    }

    /// The cache and coalescing key (normalized question as asked).
    let key: DNSQuestion
    let startedAt: UInt64
    let deadline: UInt64
    var waiters: [Waiter] = []
    private(set) var follower: DNSChainFollower
    private(set) var upstream: UpstreamQuery?
    private let config: UpstreamConfig

    init(key: DNSQuestion, config: UpstreamConfig, now: UInt64) {
        self.key = key
        self.config = config
        startedAt = now
        deadline = now + config.timeout
        follower = DNSChainFollower(question: key)
    }

    /// What `UpstreamQuery` events turn into.
    enum Progress {
        case pending
        /// The final outcome and the TTL DNS allows for it (see DNSCache).
        case finished(DNSOutcome, ttl: UInt32)
    }

    /// Asks upstream for the current link of the chain.
    func ask(_ question: DNSQuestion, now: UInt64, cache: inout DNSCache) -> Progress {
        guard let packet = LDNSPacket.query(question) else {
            upstream = nil
            ChildLog.info("dns: \(question) is not a valid domain name")
            return .finished(.error("invalid domain name"), ttl: 0)
        }
        if upstream == nil && follower.links == 0 && packet.canonicalName != follower.currentName {
            // Escapes in the name as asked ("a\065") are compared in the
            // form names come out of packets ("aa").
            follower = DNSChainFollower(question: DNSQuestion(name: packet.canonicalName, type: key.type))
        }
        let query = UpstreamQuery(question: question, packet: packet, servers: config.servers, schedule: config.schedule)
        upstream = query
        return progress(query.start(now: now), now: now, cache: &cache)
    }

    /// Turns an upstream event into progress: a response is interpreted
    /// (finished, or the next link of the chain is looked up: from the
    /// cache when it holds an answer for it, else upstream).
    func progress(_ event: UpstreamQuery.Event, now: UInt64, cache: inout DNSCache) -> Progress {
        switch event {
        case .none:
            return .pending
        case .exhausted(let failure):
            return .finished(outcome(for: failure, now: now), ttl: 0)
        case .response(let message, _):
            switch follower.interpret(message) {
            case .finished(let outcome, let ttl):
                if outcome == .servfail {
                    ChildLog.warning("dns: \(key): CNAME chain loops or is longer than \(DNSChainFollower.maximumLinks) links")
                }
                return .finished(outcome, ttl: ttl)
            case .ask(let next):
                if case .answer(let records, let ttl)? = cache.lookup(next, now: now / 1000) {
                    ChildLog.debug("dns: \(key): CNAME target \(next) from cache")
                    let message = DNSResponseMessage(rcode: .noError, answers: records.map {
                        DNSResourceRecord(owner: next.name, ttl: ttl, record: $0)
                    })
                    return progress(.response(message, server: -1), now: now, cache: &cache)
                }
                ChildLog.debug("dns: \(key): following CNAME to \(next.name)")
                return ask(next, now: now, cache: &cache)
            }
        }
    }

    /// When every resolver failed. SERVFAIL is reported as a timeout once
    /// it took longer than `dns_servfail_timeout`: the Perl program then
    /// treats it like a timeout (it holds the domain for the rest of the
    /// transaction), and a slow SERVFAIL is usually a timeout upstream.
    private func outcome(for failure: UpstreamQuery.Failure, now: UInt64) -> DNSOutcome {
        let asked = upstream?.askedDescription ?? "no resolver"
        let elapsed = Double((now - startedAt) / 1000) / 1000
        switch failure {
        case .rcode(let rcode) where rcode == .serverFailure:
            if now - startedAt > config.servfailLimit {
                ChildLog.warning("dns: \(key): SERVFAIL after \(elapsed)s (over dns_servfail_timeout), reported as timeout (\(asked))")
                return .timeout
            }
            ChildLog.info("dns: \(key): SERVFAIL (\(asked))")
            return .servfail
        case .rcode(let rcode):
            ChildLog.info("dns: \(key): \(rcode) from every resolver (\(asked))")
            return .error(rcode.description)
        case .malformed(let why):
            return .error("malformed answer: \(why)")
        case .transport(let why):
            ChildLog.warning("dns: \(key): no resolver reachable (\(why)), reported as timeout")
            return .timeout
        }
    }

    /// The deadline passed without an answer.
    func timedOut(now: UInt64) -> DNSOutcome {
        let asked = upstream?.askedDescription ?? "no resolver asked"
        let seconds = Double((now - startedAt) / 1000) / 1000
        ChildLog.warning("dns: \(key) timed out after \(seconds)s: no answer from \(asked)")
        return .timeout
    }
}
