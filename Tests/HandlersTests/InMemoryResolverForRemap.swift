import MailAuth

/// A resolver with no records, for tests that never look anything up.
struct InMemoryResolverForRemap: DNSResolver {
    func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] { questions.map { _ in .nxdomain } }
}
