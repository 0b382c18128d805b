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
/// 5. the indicator (`l=`) is fetched and checked (`BIMISVGValidator`), the
///    evidence (`a=`) fetched and checked (`BIMIVMCChecker`) when it is
///    relevant; their errors join the record's;
/// 6. with `require_vmc`, a valid VMC is needed; with both, the VMC's SVG
///    must be the location's (`SVG_MISMATCH`).
///
/// Then it is a pass, with `BIMI-Location` naming the location (and the
/// authority when it is relevant) and `BIMI-Indicator` carrying the SVG
/// (the VMC's when there is one, as Mail::BIMI).
public struct BIMIEvaluator {
    public var resolver: any DNSResolver
    public var options: BIMIOptions
    /// Fetches `l=` and `a=` (the handler: through the fetch helper, with
    /// the addresses resolved and the message's time budget applied).
    public var fetcher: ((BIMIFetchKind, String, Int) -> BIMIFetchOutcome)?
    /// Checks a fetched evidence document for the record's domain and
    /// selector (`BIMIVMCChecker`).
    public var checkEvidence: (([UInt8], String, String) -> BIMIEvidence)?
    /// Lines for the log (why a fetch or a check failed).
    public var log: (String) -> Void = { _ in }

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
        let authorityRelevant = record.authorityIsRelevant(validatingEvidence: options.validatesEvidence)
        let locationRelevant = !(options.noLocationWithVMC && authorityRelevant)
        var indicator: [UInt8]?
        var evidence: BIMIEvidence?
        if errors.isEmpty {
            if locationRelevant, options.validatesIndicator, let location = record.location {
                switch fetch(.indicator, location, maximumBytes: options.maximumSVGFetchBytes) {
                case .failed(let why):
                    log("BIMI SVG fetch failed: \(why)")
                    errors.append(.svgFetchError)
                case .fetched(let data):
                    switch BIMISVGValidator.indicator(data, maximumBytes: options.maximumSVGBytes, validates: !options.skipsSVGValidation) {
                    case .success(let svg): indicator = svg
                    case .failure(let problem):
                        log("BIMI SVG \(problem.reason.rawValue): \(problem.detail)")
                        errors.append(problem.reason)
                    }
                }
            }
            if authorityRelevant, let authority = record.authority {
                switch fetch(.evidence, authority, maximumBytes: options.maximumVMCFetchBytes) {
                case .failed(let why):
                    log("BIMI VMC fetch failed: \(why)")
                    evidence = BIMIEvidence(problems: [.init(.vmcFetchError, why)])
                case .fetched(let pem):
                    evidence = checkEvidence?(pem, lookup.domain, lookup.selector)
                        ?? BIMIEvidence(problems: [.init(.vmcValidationError, "no trust store")])
                }
                for problem in evidence?.problems ?? [] {
                    log("BIMI VMC \(problem.reason.rawValue): \(problem.detail)")
                    errors.append(problem.reason)
                }
            }
        }
        if errors.isEmpty && options.requireVMC && evidence?.isValid != true {
            errors.append(.vmcRequired)
        }
        if errors.isEmpty, authorityRelevant, locationRelevant, options.validatesIndicator, evidence?.indicator != indicator {
            errors.append(.svgMismatch)
        }
        // Mail::BIMI's Result: the authority's verdict whenever it was relevant.
        let authorityVerdict = authorityRelevant ? record.authority.map { (evidence?.isValid == true, $0) } : nil
        guard errors.isEmpty, let location = record.location else {
            var result = BIMIResult(BIMIReason.reported(errors), domain: lookup.domain, selector: lookup.selector)
            result.authority = authorityVerdict
            return result
        }
        var lines = ["v=BIMI1;"]
        if locationRelevant { lines.append("    l=" + location) }
        if authorityRelevant, let authority = record.authority {
            lines.append("    a=" + authority)
        }
        let shown = authorityRelevant ? evidence?.indicator : indicator
        var result = BIMIResult(result: "pass", domain: lookup.domain, selector: lookup.selector,
                                locationHeader: lines.joined(separator: "\n"),
                                indicatorHeader: shown.map(BIMIIndicatorHeader.value))
        result.authority = authorityVerdict
        result.hasValidEvidence = evidence?.isValid == true
        return result
    }

    /// One fetch through `fetcher` (nil: the fetch fails).
    private func fetch(_ kind: BIMIFetchKind, _ url: String, maximumBytes: Int) -> BIMIFetchOutcome {
        guard let fetcher else { return .failed("no fetcher") }
        return fetcher(kind, url, maximumBytes)
    }
}
