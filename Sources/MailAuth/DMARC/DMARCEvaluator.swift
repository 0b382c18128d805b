/// DMARC (RFC 9989 by default, RFC 7489 as an option) over any
/// `DNSResolver`: pure logic, no I/O of its own.
///
///     let dmarc = DMARCEvaluator(resolver: dns, publicSuffixList: psl)
///     let result = dmarc.evaluate(DMARCRequest(
///         fromDomain: "example.com",
///         spf: DMARCSPFInput(domain: "bounce.example.com", scope: .mfrom, result: "pass"),
///         dkim: [DMARCDKIMInput(domain: "example.com", selector: "s1", result: "pass")]))
///     result.code                 // .pass
///     result.authResultsEntry()   // dmarc=pass policy.published-domain-policy=reject ...
///
/// The steps are Mail::DMARC's (`validate`): the From domain must be a
/// domain name under a public suffix (else permerror); it, or its
/// Organizational Domain, must have an MX, NS, A or AAAA record (else
/// none); the policy is discovered; DKIM and SPF alignment are checked;
/// a failure gets the disposition of `p`, `sp` or `np`, with `pct`
/// sampling. Every DNS question of a check goes out in one batch (the
/// tree walk's alignment lookups add one batch per other domain).
public struct DMARCEvaluator {
    public let resolver: any DNSResolver
    public let publicSuffixList: PublicSuffixList
    public var options: DMARCOptions
    /// The first batch of each From domain, worked out once for both
    /// `questions(forFromDomain:)` and `evaluate` (issue 12).
    private let firstBatches = FirstBatchMemo()

    public init(resolver: any DNSResolver, publicSuffixList: PublicSuffixList, options: DMARCOptions = DMARCOptions()) {
        self.resolver = resolver
        self.publicSuffixList = publicSuffixList
        self.options = options
    }

    /// A From domain validated, its Organizational Domain by the list and
    /// its first batch, as the options that shape the batch were.
    struct FirstBatch {
        let from: String?
        let organizationalDomain: String
        let dmarcNames: [String]
        let existenceNames: [String]
        let questions: [DNSQuestion]
        let shape: [Bool]
    }

    final class FirstBatchMemo {
        var batches: [String: FirstBatch] = [:]
    }

    private func firstBatch(forFromDomain fromDomain: String) -> FirstBatch {
        let shape = [options.discovery == .treeWalk, options.checkDomainExistence, options.applyNonExistentDomainPolicy]
        if let known = firstBatches.batches[fromDomain], known.shape == shape { return known }
        let made: FirstBatch
        if let from = DMARCDomainName.validated(fromDomain, publicSuffixList: publicSuffixList) {
            made = firstBatch(from: from, organizationalDomain: publicSuffixList.organizationalDomain(of: from), shape: shape)
        } else {
            made = FirstBatch(from: nil, organizationalDomain: "", dmarcNames: [], existenceNames: [], questions: [], shape: shape)
        }
        // A message has a handful of From domains; a hostile one with
        // thousands is cut by the handler's limits, and this memo lives
        // only as long as the evaluator (one message).
        if firstBatches.batches.count < 64 { firstBatches.batches[fromDomain] = made }
        return made
    }

    /// The Organizational Domain by the public suffix list (RFC 7489 3.2).
    public func organizationalDomain(of domain: String) -> String {
        publicSuffixList.organizationalDomain(of: domain)
    }

    /// Evaluates each distinct From domain once, in sorted order, as the
    /// Perl handler does for a message with several From addresses or
    /// fields (`uniq sort`). The handler applies its own limits.
    public func evaluate(fromDomains: [String], spf: [DMARCSPFInput], dkim: [DMARCDKIMInput]) -> [DMARCResult] {
        var seen = Set<String>()
        let domains = fromDomains.map { $0.lowercased() }.sorted().filter { seen.insert($0).inserted }
        return domains.map { evaluate(DMARCRequest(fromDomain: $0, spf: spf, dkim: dkim)) }
    }

    /// The questions `evaluate` sends first (in one batch) for a From
    /// domain: its `_dmarc` names, then the existence checks; empty for a
    /// domain that is not valid (evaluated without DNS). A caller with many
    /// From domains asks them all at once, so that unanswered lookups cost
    /// one timeout rather than one each, and evaluates over the answers.
    public func questions(forFromDomain fromDomain: String) -> [DNSQuestion] {
        firstBatch(forFromDomain: fromDomain).questions
    }

    private static let existenceTypes: [DNSRecordType] = [.mx, .ns, .a, .aaaa]

    /// The first batch for a validated From domain and its Organizational
    /// Domain by the list.
    private func firstBatch(from: String, organizationalDomain pslOrg: String, shape: [Bool]) -> FirstBatch {
        let dmarcNames: [String]
        switch options.discovery {
        case .rfc7489: dmarcNames = pslOrg != from ? [from, pslOrg] : [from]
        case .treeWalk: dmarcNames = DMARCDiscovery.treeWalkTargets(from)
        }
        var questions = dmarcNames.map { DNSQuestion(name: "_dmarc." + $0, type: .txt) }
        var existenceNames: [String] = []
        if options.checkDomainExistence || options.applyNonExistentDomainPolicy { existenceNames.append(from) }
        if options.checkDomainExistence && pslOrg != from { existenceNames.append(pslOrg) }
        for name in existenceNames { questions += Self.existenceTypes.map { DNSQuestion(name: name, type: $0) } }
        return FirstBatch(from: from, organizationalDomain: pslOrg, dmarcNames: dmarcNames,
                          existenceNames: existenceNames, questions: questions, shape: shape)
    }

    /// Evaluates one From domain.
    public func evaluate(_ request: DMARCRequest) -> DMARCResult {
        let spf = Array(request.spf.prefix(max(0, options.maximumSPFResults)))
        let dkim = Array(request.dkim.prefix(max(0, options.maximumDKIMResults)))
        var result = DMARCResult(fromDomain: String(DNSName.normalized(request.fromDomain).prefix(PublicSuffixDomain.maximumLength)),
                                 organizationalDomain: "", code: .none, spfResults: spf, dkimResults: dkim)
        let first = firstBatch(forFromDomain: request.fromDomain)
        guard let from = first.from else {
            result.organizationalDomain = result.fromDomain
            result.code = .permerror
            result.reasons = [DMARCPolicyOverrideReason(type: .other, comment: "from header invalid")]
            return result
        }
        let pslOrg = first.organizationalDomain
        result.fromDomain = from
        result.organizationalDomain = pslOrg
        result.isSubdomain = pslOrg != from

        // One batch: the _dmarc names, then the existence questions.
        let (dmarcNames, existenceNames, questions) = (first.dmarcNames, first.existenceNames, first.questions)
        var outcomes = resolver.lookup(questions)
        if outcomes.count < questions.count {
            outcomes += Array(repeating: .error("resolver returned no outcome"), count: questions.count - outcomes.count)
        }
        let dmarcOutcomes = Array(outcomes[0..<dmarcNames.count])
        let existenceOutcomes = Array(outcomes[dmarcNames.count...])
        let fromExistence = existenceNames.first == from ? Array(existenceOutcomes.prefix(Self.existenceTypes.count)) : []
        let fromIsNXDOMAIN = !fromExistence.isEmpty && fromExistence.allSatisfy { $0 == .nxdomain }

        if options.checkDomainExistence {
            if !existenceOutcomes.contains(where: { !$0.records.isEmpty }) {
                if let failure = existenceOutcomes.first(where: \.isTemporaryFailure) {
                    result.code = .temperror
                    result.reasons = [DMARCPolicyOverrideReason(type: .other, comment: "\(from) existence check: \(failure)")]
                } else {
                    result.reasons = [DMARCPolicyOverrideReason(type: .other, comment: "\(from) not in DNS")]
                }
                return result
            }
        }

        // Discovery.
        let discovered: DMARCDiscovery.Outcome
        switch options.discovery {
        case .rfc7489:
            discovered = DMARCDiscovery.rfc7489(from: from, fromOutcome: dmarcOutcomes[0], org: pslOrg,
                                                orgOutcome: dmarcOutcomes.count > 1 ? dmarcOutcomes[1] : nil)
        case .treeWalk:
            discovered = DMARCDiscovery.treeWalk(from: from, targets: dmarcNames, outcomes: dmarcOutcomes)
        }
        var record: DMARCRecord
        switch discovered {
        case .none(let why):
            result.reasons = [DMARCPolicyOverrideReason(type: .other, comment: why)]
            return result
        case .temperror(let why):
            result.code = .temperror
            result.reasons = [DMARCPolicyOverrideReason(type: .other, comment: why)]
            return result
        case .permerror(let why):
            result.code = .permerror
            result.reasons = [DMARCPolicyOverrideReason(type: .other, comment: why)]
            return result
        case .found(let found, let domain, let treeOrg):
            record = found
            result.policyDomain = domain
            result.isSubdomain = domain != from
            if options.discovery == .treeWalk { result.organizationalDomain = treeOrg ?? pslOrg }
        }
        result.record = record

        // Section 6.6.3 step 6: an invalid p (or sp, np) makes the record
        // count as p=none when it has a usable rua, else as no policy.
        let isPSD = options.discovery == .treeWalk && record.publicSuffixDomain == "y"
        let pInvalid = record.requestedPolicyText.map { DMARCPolicyAction(tagValue: $0) == nil } ?? !isPSD
        let spInvalid = record.subdomainPolicyText.map { DMARCPolicyAction(tagValue: $0) == nil } ?? false
        let npInvalid = options.applyNonExistentDomainPolicy
            && (record.nonExistentPolicyText.map { DMARCPolicyAction(tagValue: $0) == nil } ?? false)
        if pInvalid || spInvalid || npInvalid {
            guard !record.aggregateReportURIs.isEmpty else {
                result.recordIgnored = true
                result.reasons = [DMARCPolicyOverrideReason(type: .other, comment: "no valid rua")]
                return result
            }
            record.requestedPolicyText = "none"
            if spInvalid { record.subdomainPolicyText = nil }
            if npInvalid { record.nonExistentPolicyText = nil }
            result.record = record
        }
        if record.requestedPolicyText == nil { record.requestedPolicyText = "none"; result.record = record }

        // Alignment (both checked: reports need both).
        let fromOrg = result.organizationalDomain
        var walkCache: [String: String] = [:]
        let orgOf: (String) -> String = { domain in
            if domain == from { return fromOrg }
            guard options.discovery == .treeWalk else { return publicSuffixList.organizationalDomain(of: domain) }
            // Only a name at or under the From domain's Organizational
            // Domain can share it: skip the walk for the others.
            guard domain == fromOrg || domain.hasSuffix("." + fromOrg) else { return publicSuffixList.organizationalDomain(of: domain) }
            if let cached = walkCache[domain] { return cached }
            let org = treeWalkOrganizationalDomain(of: domain)
            walkCache[domain] = org
            return org
        }
        checkDKIM(dkim, from: from, fromOrg: fromOrg, mode: record.dkimAlignment, orgOf: orgOf, into: &result)
        checkSPF(spf, from: from, fromOrg: fromOrg, mode: record.spfAlignment, orgOf: orgOf, into: &result)
        if result.dkimAligned || result.spfAligned {
            result.code = .pass
            return result
        }

        // Failure: the policy that applies (sections 6.3, 6.6.4; RFC 9091).
        result.code = .fail
        let effective: DMARCPolicyAction
        if options.applyNonExistentDomainPolicy, result.isSubdomain, fromIsNXDOMAIN, let np = record.nonExistentPolicy {
            effective = np
            result.policySource = .np
        } else if result.isSubdomain, let sp = record.subdomainPolicy {
            effective = sp
            result.policySource = .sp
        } else {
            effective = record.requestedPolicy ?? .none
            result.policySource = .p
        }
        guard effective != .none else { return result }
        switch options.discovery {
        case .rfc7489:
            if let percent = record.percent, !(options.percentDraw() < percent) {
                result.disposition = effective.lowered
                result.reasons.append(DMARCPolicyOverrideReason(type: .sampledOut))
            } else {
                result.disposition = effective
            }
        case .treeWalk:
            if record.testing {
                // RFC 9989 section 4.7 `t=y`: one step less severe
                // (reject → quarantine, quarantine → none); RFC 9990's
                // `policy_test_mode` tells the report reader why.
                result.disposition = effective.lowered
                result.reasons.append(DMARCPolicyOverrideReason(type: .policyTestMode, comment: "policy testing mode (t=y)"))
            } else {
                result.disposition = effective
            }
        }
        return result
    }

    private func checkDKIM(_ inputs: [DMARCDKIMInput], from: String, fromOrg: String, mode: DMARCAlignmentMode,
                           orgOf: (String) -> String, into result: inout DMARCResult) {
        for input in inputs where input.isPass {
            let domain = DMARCDomainName.normalized(input.domain)
            if domain == from {
                result.dkimAligned = true
                result.dkimAlignment = .strict
                result.alignedDKIM = input
                return
            }
            if mode == .strict || result.dkimAligned { continue }
            if orgOf(domain) == fromOrg {
                result.dkimAligned = true
                result.dkimAlignment = .relaxed
                result.alignedDKIM = input
            }
        }
    }

    private func checkSPF(_ inputs: [DMARCSPFInput], from: String, fromOrg: String, mode: DMARCAlignmentMode,
                          orgOf: (String) -> String, into result: inout DMARCResult) {
        let passes = inputs.filter(\.isPass)
        let candidates: [DMARCSPFInput]
        switch options.discovery {
        case .rfc7489:
            // Mail::DMARC (RFC 7489): the first mfrom pass, else the first
            // HELO pass (a null sender's identity, RFC 7208 section 2.4).
            guard let chosen = passes.first(where: { $0.scope == .mfrom }) ?? passes.first else { return }
            candidates = [chosen]
        case .treeWalk:
            candidates = passes.filter { $0.scope == .mfrom }   // RFC 9989: MAIL FROM only
        }
        for input in candidates {
            let domain = DMARCDomainName.normalized(input.domain)
            if domain == from {
                result.spfAligned = true
                result.spfAlignment = .strict
                result.alignedSPF = input
                return
            }
            if mode == .strict || result.spfAligned { continue }
            if orgOf(domain) == fromOrg {
                result.spfAligned = true
                result.spfAlignment = .relaxed
                result.alignedSPF = input
            }
        }
    }

    /// RFC 9989's Organizational Domain of any name: a tree walk (one
    /// batch), falling back to the public suffix list when it finds no
    /// record or fails.
    public func treeWalkOrganizationalDomain(of domain: String) -> String {
        let name = DMARCDomainName.normalized(domain)
        let targets = DMARCDiscovery.treeWalkTargets(name)
        let outcomes = resolver.lookup(targets.map { DNSQuestion(name: "_dmarc." + $0, type: .txt) })
        if case .found(_, _, let org?) = DMARCDiscovery.treeWalk(from: name, targets: targets, outcomes: outcomes) {
            return org
        }
        return publicSuffixList.organizationalDomain(of: name)
    }
}
