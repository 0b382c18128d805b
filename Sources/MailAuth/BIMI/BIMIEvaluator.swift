/// One BIMI evaluation after the handler's own checks (Mail::BIMI's
/// `_build_result`), in its order:
///
/// 1. DMARC must have been evaluated (`skipped (No DMARC)`) and passed
///    (`skipped (DMARC did not pass)`);
/// 2. the From domain's policy, then its Organizational Domain's (when it
///    is another domain), must be at enforcement (`BIMIDMARCEnforcement`);
/// 3. with `strict_spf`, the author domain's SPF record must not end in `+all`;
/// 4. the BIMI record (`BIMIRecordLookup`) must be there and valid; of
///    several errors the one reported is the first of `BIMIReason.precedence`;
/// 5. with `require_vmc`, a valid VMC is needed.
///
/// Then it is a pass, with `BIMI-Location` naming the location (and the
/// authority when evidence is validated).
public struct BIMIEvaluator {
    public var resolver: any DNSResolver
    public var options: BIMIOptions

    public init(resolver: any DNSResolver, options: BIMIOptions = BIMIOptions()) {
        self.resolver = resolver
        self.options = options
    }

    /// - Parameters:
    ///   - dmarc: the From domain's DMARC evaluation (nil: none was made).
    ///   - organizationalDMARC: the Organizational Domain's own policy,
    ///     asked only when the From domain's is at enforcement and the two
    ///     domains differ.
    ///   - spfEndsInPlusAll: for `strict_spf`, whether the author domain's
    ///     SPF record ends in `+all`.
    public func evaluate(domain: String, selector: String, organizationalDomain: String, dmarc: DMARCResult?,
                         organizationalDMARC: () -> DMARCResult?, spfEndsInPlusAll: Bool = false) -> BIMIResult {
        guard let dmarc else { return BIMIResult(.noDMARC, domain: domain, selector: selector) }
        guard dmarc.code == .pass else { return BIMIResult(.dmarcNotPass, domain: domain, selector: selector) }
        if let reason = BIMIDMARCEnforcement.reason(dmarc) { return BIMIResult(reason, domain: domain, selector: selector) }
        if organizationalDomain.lowercased() != domain.lowercased() {
            let policy = organizationalDMARC()
            if let reason = BIMIDMARCEnforcement.reason(record: policy?.record, isSubdomain: policy?.isSubdomain ?? false) {
                return BIMIResult(reason, domain: domain, selector: selector)
            }
        }
        if options.strictSPF && spfEndsInPlusAll { return BIMIResult(.spfPlusAll, domain: domain, selector: selector) }

        let lookup = BIMIRecordLookup.lookup(domain: domain, selector: selector, organizationalDomain: organizationalDomain,
                                             resolver: resolver)
        let record: BIMIRecord
        switch lookup.outcome {
        case .failed(let reason):
            return BIMIResult(reason, domain: lookup.domain, selector: lookup.selector)
        case .found(let found):
            record = found
        }
        var errors = record.errors(validatingEvidence: options.validatesEvidence)
        if errors.isEmpty && options.requireVMC && !options.validatesEvidence {
            // No VMC is checked by this build, so none is ever valid.
            errors.append(.vmcRequired)
        }
        guard errors.isEmpty, let location = record.location else {
            return BIMIResult(BIMIReason.reported(errors), domain: lookup.domain, selector: lookup.selector)
        }
        var lines = ["v=BIMI1;", "    l=" + location]
        if record.authorityIsRelevant(validatingEvidence: options.validatesEvidence), let authority = record.authority {
            lines.append("    a=" + authority)
        }
        return BIMIResult(result: "pass", domain: lookup.domain, selector: lookup.selector,
                          locationHeader: lines.joined(separator: "\n"))
    }
}
