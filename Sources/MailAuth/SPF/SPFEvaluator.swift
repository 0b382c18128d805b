/// SPF (RFC 7208) over any `DNSResolver`: pure logic, no I/O of its own.
///
///     let spf = SPFEvaluator(resolver: dns)
///     let result = spf.evaluate(.mailFrom("user@example.com", ip: client, helo: "mx.example.com"))
///     result.code          // .pass
///     result.mechanism     // "ip4:192.0.2.0/24"
///
/// Every input ends in bounded work: at most `maximumDNSTerms` terms that
/// query DNS (so at most that many nested records), at most
/// `maximumMXNames`/`maximumPTRNames` address lookups per term, linear
/// parsing, and macro expansions capped in length.
public struct SPFEvaluator {
    public let resolver: any DNSResolver
    public var options: SPFOptions
    /// Parsed records kept between evaluations; nil parses every time.
    public var recordCache: SPFRecordCache?

    public init(resolver: any DNSResolver, options: SPFOptions = SPFOptions(), recordCache: SPFRecordCache? = nil) {
        self.resolver = resolver
        self.options = options
        self.recordCache = recordCache
    }

    /// Checks a request (the MAIL FROM or HELO identity).
    public func evaluate(_ request: SPFRequest) -> SPFResult {
        let check = SPFCheck(resolver: resolver, options: options, request: request, recordCache: recordCache)
        let verdict = check.run()
        let explanation = verdict.code == .fail ? check.explanation(for: verdict) : nil
        return SPFResult(code: verdict.code, request: request, text: verdict.text,
                         mechanism: verdict.mechanism?.description, explanation: explanation,
                         authorityDomain: verdict.domain, rootDomain: request.startDomain,
                         isNested: verdict.depth > 0, dnsTermCount: check.dnsTerms,
                         voidLookupCount: check.voidLookups, queryCount: check.queries)
    }

    /// RFC 7208 section 4's `check_host(<ip>, <domain>, <sender>)`: the
    /// domain need not be the sender's.
    public func checkHost(ip: IPAddress, domain: String, sender: String, helo: String? = nil) -> SPFResult {
        evaluate(SPFRequest(scope: .mfrom, identity: sender, ip: ip, helo: helo, authorityDomain: domain))
    }
}
