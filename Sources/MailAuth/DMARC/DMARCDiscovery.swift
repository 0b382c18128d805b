/// Policy discovery (RFC 7489 section 6.6.3, or RFC 9989's tree walk) over
/// outcomes the evaluator already fetched in one batch.
struct DMARCDiscovery {
    enum Outcome {
        /// One DMARC record, found at `domain`; `organizationalDomain` set
        /// by the tree walk.
        case found(DMARCRecord, domain: String, organizationalDomain: String?)
        case none(String)
        case temperror(String)
        /// Several DMARC records at one name under RFC 7489: the Perl
        /// handler's HEAD (unreleased after v4.20260319) turns the no-policy
        /// of section 6.6.3 step 5 into `permerror`.
        case permerror(String)
    }

    /// The reason of the RFC 7489 permerror for several records at a name.
    static let multipleRecordsReason = "multiple DMARC records"

    /// The DMARC records among the TXT records of an answer (section
    /// 6.6.3 step 2: others are discarded).
    static func dmarcTexts(_ outcome: DNSOutcome) -> [String] {
        outcome.records.compactMap { record -> String? in
            guard case .txt = record, let bytes = record.joinedText else { return nil }
            let text = String(decoding: bytes, as: UTF8.self)
            return DMARCRecord.isDMARCRecord(text) ? text : nil
        }
    }

    /// What one `_dmarc` answer says under RFC 7489: nil when there is no
    /// record and no error (go on), else the outcome.
    static func interpret(_ outcome: DNSOutcome, at domain: String) -> Outcome? {
        let texts = dmarcTexts(outcome)
        if texts.count > 1 { return .permerror(multipleRecordsReason) }
        if let text = texts.first {
            guard let record = DMARCRecordCache.shared.record(text) else { return .none("policy parse error") }
            return .found(record, domain: domain, organizationalDomain: nil)
        }
        if outcome.isTemporaryFailure { return .temperror("_dmarc.\(domain): \(outcome)") }
        return nil
    }

    /// RFC 7489: the From domain, then its Organizational Domain.
    static func rfc7489(from: String, fromOutcome: DNSOutcome, org: String, orgOutcome: DNSOutcome?) -> Outcome {
        if let outcome = interpret(fromOutcome, at: from) { return outcome }
        if org != from, let orgOutcome, let outcome = interpret(orgOutcome, at: org) { return outcome }
        return .none("no policy")
    }

    /// RFC 9989 section 4.10: the names queried, from the From domain
    /// towards the TLD, at most 8, jumping to 7 labels from longer names.
    static func treeWalkTargets(_ domain: String) -> [String] {
        var labels = domain.split(separator: ".").map(String.init)
        var targets: [String] = []
        while !labels.isEmpty && targets.count < 8 {
            targets.append(labels.joined(separator: "."))
            if labels.count >= 8 { labels.removeFirst(labels.count - 7) } else { labels.removeFirst() }
        }
        return targets
    }

    /// The walk over fetched outcomes (one per target, in order): the first
    /// record found is the policy; the Organizational Domain is the `psd=n`
    /// record's domain, the name below a `psd=y` record, else the last
    /// domain with a record (nil: none, the caller uses the list). Several
    /// DMARC records at one name are all discarded and the walk goes on
    /// (RFC 9989 section 4.10, step 3), as if the name had none.
    static func treeWalk(from: String, targets: [String], outcomes: [DNSOutcome]) -> Outcome {
        var policy: (DMARCRecord, String)?
        var org: String?
        var previous: String?
        var discardedMultiple = false
        for (target, outcome) in zip(targets, outcomes) {
            defer { previous = target }
            let texts = dmarcTexts(outcome)
            if texts.count > 1 {
                discardedMultiple = true
                continue
            }
            if let text = texts.first, let record = DMARCRecordCache.shared.record(text) {
                if policy == nil { policy = (record, target) }
                if record.publicSuffixDomain == "n" { org = target; break }
                if record.publicSuffixDomain == "y" { org = previous ?? from; break }
                org = target
                continue
            }
            if policy == nil, outcome.isTemporaryFailure { return .temperror("_dmarc.\(target): \(outcome)") }
        }
        guard let (record, domain) = policy else {
            return .none(discardedMultiple ? "no policy (multiple DMARC records discarded)" : "no policy")
        }
        return .found(record, domain: domain, organizationalDomain: org)
    }
}
