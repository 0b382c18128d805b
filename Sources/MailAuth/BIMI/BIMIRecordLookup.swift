/// Finding the BIMI record of a message (Mail::BIMI's
/// `Record::_build_record_hashref`): `<selector>._bimi.<domain>` TXT; when
/// it holds no BIMI record, `default._bimi.<organizational domain>` (unless
/// that is the name just asked). More than one BIMI record at the name used
/// is `MULTI_BIMI_RECORD`; none at either is `NO_BIMI_RECORD`. A lookup
/// that failed for a reason that may go away (SERVFAIL, timeout) is
/// `DNS_ERROR`; NXDOMAIN, no data or a name that cannot be asked are "no
/// record", as Net::DNS's `query` returning nothing is in Perl.
public struct BIMIRecordLookup: Sendable, Equatable {
    /// Where the record was found (or looked for last).
    public var domain: String
    public var selector: String
    public var outcome: Outcome

    public enum Outcome: Sendable, Equatable {
        case found(BIMIRecord)
        case failed(BIMIReason)
    }

    public static let fallbackSelector = "default"

    public static func lookup(domain: String, selector: String, organizationalDomain: String,
                              resolver: any DNSResolver) -> BIMIRecordLookup {
        guard let first = records(at: selector, domain, resolver) else {
            return BIMIRecordLookup(domain: domain, selector: selector, outcome: .failed(.dnsError))
        }
        if first.count > 1 { return BIMIRecordLookup(domain: domain, selector: selector, outcome: .failed(.multipleRecords)) }
        if first.count == 1 { return BIMIRecordLookup(domain: domain, selector: selector, outcome: .found(BIMIRecord(first[0]))) }
        if domain == organizationalDomain && selector == fallbackSelector {
            return BIMIRecordLookup(domain: domain, selector: selector, outcome: .failed(.noRecord))
        }
        guard let fallback = records(at: fallbackSelector, organizationalDomain, resolver) else {
            return BIMIRecordLookup(domain: domain, selector: selector, outcome: .failed(.dnsError))
        }
        switch fallback.count {
        case 0: return BIMIRecordLookup(domain: domain, selector: selector, outcome: .failed(.noRecord))
        case 1: return BIMIRecordLookup(domain: organizationalDomain, selector: fallbackSelector, outcome: .found(BIMIRecord(fallback[0])))
        default: return BIMIRecordLookup(domain: domain, selector: selector, outcome: .failed(.multipleRecords))
        }
    }

    /// The BIMI records (`v=BIMI1;`...) among the TXT records at the name;
    /// nil when the lookup failed for a reason that may go away.
    static func records(at selector: String, _ domain: String, _ resolver: any DNSResolver) -> [String]? {
        let outcome = resolver.lookup(name: "\(selector)._bimi.\(domain)", type: .txt)
        switch outcome {
        case .servfail, .timeout: return nil
        default: break
        }
        var found: [String] = []
        for record in outcome.records {
            guard case .txt(let strings) = record else { continue }
            let text = String(decoding: strings.joined(), as: UTF8.self)
            if BIMIRecord.isBIMIRecord(text) { found.append(text) }
        }
        return found
    }
}
