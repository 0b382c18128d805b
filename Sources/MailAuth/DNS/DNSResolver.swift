/// Everything in MailAuth that needs DNS goes through this protocol, so the
/// checks stay pure: tests plug in `InMemoryDNSResolver`, the jailed worker
/// plugs in the DNS helper client.
///
/// The batch form exists so a check can look up in parallel without
/// threads: the worker's client sends every question before it waits for
/// any answer (SPF's MX targets, DKIM's several selectors, IPRev's forward
/// lookups).
public protocol DNSResolver {
    /// Looks up every question, concurrently where the implementation can,
    /// and returns one outcome per question, in the same order. CNAME
    /// chains are followed. Never throws and never blocks beyond the
    /// implementation's deadline: a failure is an outcome.
    func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome]
}

extension DNSResolver {
    /// One question.
    public func lookup(_ question: DNSQuestion) -> DNSOutcome {
        lookup([question]).first ?? .error("resolver returned no outcome")
    }

    /// One name and type.
    public func lookup(name: String, type: DNSRecordType) -> DNSOutcome {
        lookup(DNSQuestion(name: name, type: type))
    }
}
