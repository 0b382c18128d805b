import MailAuth

/// The signing policies of one message, fetched and applied as Mail::DKIM's
/// `policies` and each policy's `apply` do for the Perl handler:
///
/// 1. the DomainKeys sender policy of the Sender (else From) domain,
/// 2. the SSP author policy of the From domain,
/// 3. one ADSP policy per From address. A domain without an ADSP record
///    is checked for existence (MX lookup): NXDOMAIN gives ADSP's
///    "NXDOMAIN" policy (written `dkim-adsp=unknown (ADSP policy)`).
///
/// A failed lookup of 1 or 2 just leaves that policy out. For ADSP it
/// ends the evaluation (Mail::DKIM dies) with one error entry instead of
/// any policy entry; so does a From address without a domain.
///
/// Lookups go out in two batches: every TXT record, then the MX records
/// the ADSP step needs.
struct DKIMPolicyEvaluation {
    struct Outcome: Equatable {
        let policy: DKIMSigningPolicy
        let verdict: DKIMSigningPolicy.Verdict
        var entry: AuthResultsEntry { policy.entry(verdict) }
    }

    /// The first From address (Mail::DKIM's message originator).
    let originator: String?
    /// The first Sender address, else the originator.
    let sender: String?
    /// Every From address (ADSP's authors); none without a From field.
    let authors: [String]
    let signatures: [DKIMSignatureResult]

    init(from: String?, sender senderField: String?, signatures: [DKIMSignatureResult]) {
        authors = from.map { EmailAddressParser.addresses(in: $0) } ?? []
        originator = authors.first
        sender = senderField.flatMap { EmailAddressParser.addresses(in: $0).first } ?? originator
        self.signatures = signatures
    }

    private enum ADSPPlan {
        case lookup(String)
        case fatal(DKIMPolicyError)
    }

    func run(resolver: any DNSResolver) -> Result<[Outcome], DKIMPolicyError> {
        let senderDomain = sender.map(DKIMSigningPolicy.domainPart).flatMap(Self.queryable)
        let authorDomain = originator.map(DKIMSigningPolicy.domainPart).flatMap(Self.queryable)
        var plans: [ADSPPlan] = []
        for author in authors {
            let domain = DKIMSigningPolicy.domainPart(author)
            if domain.isEmpty {
                plans.append(.fatal(.syntax("no domain to fetch policy for")))
                break
            }
            guard Self.queryable(domain) != nil else {
                plans.append(.fatal(.syntax("invalid name \(domain)")))
                break
            }
            plans.append(.lookup(domain))
        }

        var questions: [DNSQuestion] = []
        if let senderDomain { questions.append(DNSQuestion(name: DKIMSigningPolicy.Kind.domainKeys.lookupName(senderDomain), type: .txt)) }
        if let authorDomain { questions.append(DNSQuestion(name: DKIMSigningPolicy.Kind.ssp.lookupName(authorDomain), type: .txt)) }
        for case .lookup(let domain) in plans {
            questions.append(DNSQuestion(name: DKIMSigningPolicy.Kind.adsp.lookupName(domain), type: .txt))
        }
        var answers = Self.answers(resolver, questions)[...]

        var outcomes: [Outcome] = []
        if let senderDomain, let answer = answers.popFirst(),
           case .success(let policy) = Self.policy(.domainKeys, domain: senderDomain, answer) {
            outcomes.append(Outcome(policy: policy, verdict: apply(policy)))
        }
        if let authorDomain, let answer = answers.popFirst(),
           case .success(let policy) = Self.policy(.ssp, domain: authorDomain, answer) {
            outcomes.append(Outcome(policy: policy, verdict: apply(policy)))
        }

        // ADSP, first from the TXT answers; domains without a policy of
        // their own need the existence check.
        var found: [Result<DKIMSigningPolicy, DKIMPolicyError>?] = []
        var existence: [DNSQuestion] = []
        for plan in plans {
            guard case .lookup(let domain) = plan, let answer = answers.popFirst() else {
                found.append(nil)
                continue
            }
            let result = Self.policy(.adsp, domain: domain, answer)
            if case .success(let policy) = result, !policy.isDefault {
                found.append(result)
            } else {
                found.append(result)
                existence.append(DNSQuestion(name: domain, type: .mx))
            }
        }
        var existenceAnswers = Self.answers(resolver, existence)[...]
        for (plan, result) in zip(plans, found) {
            switch plan {
            case .fatal(let error):
                return .failure(error)
            case .lookup:
                guard let result else { continue }
                if case .success(let policy) = result, !policy.isDefault {
                    outcomes.append(Outcome(policy: policy, verdict: apply(policy)))
                    continue
                }
                let mx = existenceAnswers.popFirst() ?? .error("resolver returned no outcome")
                if mx == .nxdomain {
                    let policy = DKIMSigningPolicy.adspNXDomain
                    outcomes.append(Outcome(policy: policy, verdict: apply(policy)))
                    continue
                }
                if let error = DKIMPolicyError(mx) { return .failure(error) }
                switch result {
                case .failure(let error): return .failure(error)
                case .success(let policy): outcomes.append(Outcome(policy: policy, verdict: apply(policy)))
                }
            }
        }
        return .success(outcomes)
    }

    private func apply(_ policy: DKIMSigningPolicy) -> DKIMSigningPolicy.Verdict {
        policy.apply(signatures: signatures, originator: originator, sender: sender)
    }

    /// A policy from its TXT lookup: the last TXT record's strings joined;
    /// none (or an empty record) is the kind's implied default.
    static func policy(_ kind: DKIMSigningPolicy.Kind, domain: String,
                       _ outcome: DNSOutcome) -> Result<DKIMSigningPolicy, DKIMPolicyError> {
        if let error = DKIMPolicyError(outcome) { return .failure(error) }
        guard let text = outcome.records.last(where: { $0.type == .txt })?.joinedText else {
            return .success(.implied(kind))
        }
        do {
            return .success(try DKIMSigningPolicy.published(kind, text: String(decoding: text, as: UTF8.self), domain: domain))
        } catch {
            return .failure(error)
        }
    }

    /// The domain if a resolver can be asked about it: labels of 1 to 63
    /// bytes, 253 in all (a final dot allowed).
    static func queryable(_ domain: String) -> String? {
        var name = Substring(domain)
        if name.hasSuffix(".") { name = name.dropLast() }
        guard !name.isEmpty, name.utf8.count <= 253,
              name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty && $0.utf8.count <= 63 }) else {
            return nil
        }
        return domain
    }

    private static func answers(_ resolver: any DNSResolver, _ questions: [DNSQuestion]) -> [DNSOutcome] {
        guard !questions.isEmpty else { return [] }
        var outcomes = resolver.lookup(questions)
        while outcomes.count < questions.count { outcomes.append(.error("resolver returned no outcome")) }
        return outcomes
    }
}
