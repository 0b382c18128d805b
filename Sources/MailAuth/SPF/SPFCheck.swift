/// One run of `check_host()` (RFC 7208 section 4) with its counters: the
/// DNS-querying terms and void lookups are counted across every include
/// and redirect of the check, which is what bounds the work (each include
/// or redirect is one of at most 10 such terms, so recursion is at most 10
/// deep and lookups at most about 10 × 11).
///
/// A class because the counters and the `%{p}` cache are shared by the
/// nested evaluations and by macro expansion; it lives for one check.
final class SPFCheck {
    let resolver: any DNSResolver
    let options: SPFOptions
    let request: SPFRequest
    let recordCache: SPFRecordCache?
    /// The client address, IPv4-mapped IPv6 taken as IPv4 (section 5).
    let ip: IPAddress

    private(set) var dnsTerms = 0
    private(set) var voidLookups = 0
    private(set) var queries = 0
    /// `%{p}` per target domain: one PTR walk each at most.
    var validatedNameCache: [String: String] = [:]

    /// The outcome of one (possibly nested) `check_host()`.
    struct Verdict {
        var code: SPFResultCode
        /// Mail::SPF's result text ("Mechanism 'a' matched", ...).
        var text: String
        /// The mechanism that matched in the deciding record.
        var mechanism: SPFMechanism?
        /// The `<domain>` whose evaluation decided.
        var domain: String
        /// 0 for the top-level check, deeper for include/redirect targets.
        var depth: Int
        /// The deciding record's `exp=`, when a mechanism of it failed.
        var explanation: SPFMacroString?
    }

    /// Ends evaluation at once with a verdict (errors and limits, and a
    /// nested error passed up as-is).
    struct Stop: Error {
        var verdict: Verdict
    }

    /// Where a term is being evaluated, for verdicts made there.
    struct Context {
        var domain: String
        var depth: Int

        func stop(_ code: SPFResultCode, _ text: String) -> Stop {
            Stop(verdict: Verdict(code: code, text: text, mechanism: nil, domain: domain, depth: depth, explanation: nil))
        }
    }

    init(resolver: any DNSResolver, options: SPFOptions, request: SPFRequest, recordCache: SPFRecordCache? = nil) {
        self.resolver = resolver
        self.options = options
        self.request = request
        self.recordCache = recordCache
        self.ip = request.ip.unmapped
    }

    func run() -> Verdict {
        checkHost(domain: request.startDomain, depth: 0)
    }

    func checkHost(domain: String, depth: Int) -> Verdict {
        do {
            return try evaluate(Context(domain: domain, depth: depth))
        } catch {
            return error.verdict
        }
    }

    private func evaluate(_ context: Context) throws(Stop) -> Verdict {
        // Each level below the top was entered through a counted term, so
        // the term limit already bounds the depth; this is a second guard.
        guard context.depth <= options.maximumDNSTerms + 1 else {
            throw context.stop(.permerror, "Maximum DNS-interactive terms limit (\(options.maximumDNSTerms)) exceeded")
        }
        guard SPFDomainName.isCheckable(context.domain),
              let record = try selectRecord(context) else {
            return Verdict(code: .none, text: "No applicable sender policy available", mechanism: nil,
                           domain: context.domain, depth: context.depth, explanation: nil)
        }
        for mechanism in record.mechanisms {
            guard try matches(mechanism, context) else { continue }
            return Verdict(code: mechanism.qualifier.result, text: "Mechanism '\(mechanism)' matched",
                           mechanism: mechanism, domain: context.domain, depth: context.depth,
                           explanation: record.explanation)
        }
        if let redirect = record.redirect {
            try countDNSTerm(context)
            let target = expandTarget(redirect, context)
            let result = checkHost(domain: target, depth: context.depth + 1)
            if result.code == .none {
                throw context.stop(.permerror, "Redirect domain '\(target)' has no applicable sender policy")
            }
            return result
        }
        return Verdict(code: .neutral, text: "Default neutral result due to no mechanism matches", mechanism: nil,
                       domain: context.domain, depth: context.depth, explanation: nil)
    }

    /// Section 4.5: the one TXT record starting with `v=spf1`, parsed; nil
    /// for "none" (no such record, NXDOMAIN, no TXT at all).
    private func selectRecord(_ context: Context) throws(Stop) -> SPFRecord? {
        guard let name = SPFDomainName.lookupName(context.domain) else { return nil }
        let outcome = lookup(name, .txt)
        switch outcome {
        case .nxdomain, .nodata:
            return nil
        case .servfail, .timeout, .error:
            throw context.stop(.temperror, SPFCheck.dnsErrorText(outcome, type: .txt, name: name))
        case .answer(let records, _) where request.scope == .pra:
            return try selectSenderIDRecord(records, context)
        case .answer(let records, _):
            var found: [UInt8]? = nil
            for record in records {
                guard let text = record.joinedText, SPFRecord.isVersion1(text) else { continue }
                guard found == nil else {
                    throw context.stop(.permerror, "Redundant applicable 'v=spf1' sender policies found")
                }
                found = text
            }
            guard let found else { return nil }
            let parsed: Result<SPFRecord, SPFSyntaxError>
            if let recordCache {
                parsed = recordCache.record(found)
            } else {
                do { parsed = .success(try SPFRecord(parsing: found)) } catch { parsed = .failure(error) }
            }
            switch parsed {
            case .success(let record): return record
            case .failure(let error): throw context.stop(.permerror, error.message)
            }
        }
    }

    // MARK: Terms

    private func matches(_ mechanism: SPFMechanism, _ context: Context) throws(Stop) -> Bool {
        switch mechanism.kind {
        case .all:
            return true
        case .ip4(let network), .ip6(let network):
            return network.contains(ip)
        case .a(let spec, let v4, let v6):
            try countDNSTerm(context)
            let target = spec.map { expandTarget($0, context) } ?? context.domain
            return try matchAddresses(of: target, ip4Prefix: v4, ip6Prefix: v6, context)
        case .mx(let spec, let v4, let v6):
            try countDNSTerm(context)
            let target = spec.map { expandTarget($0, context) } ?? context.domain
            return try matchMX(of: target, ip4Prefix: v4, ip6Prefix: v6, context)
        case .ptr(let spec):
            try countDNSTerm(context)
            let target = spec.map { expandTarget($0, context) } ?? context.domain
            return try matchPTR(target: target, context)
        case .exists(let spec):
            try countDNSTerm(context)
            return try matchExists(expandTarget(spec, context), context)
        case .include(let spec):
            try countDNSTerm(context)
            let target = expandTarget(spec, context)
            let result = checkHost(domain: target, depth: context.depth + 1)
            switch result.code {
            case .pass:
                return true
            case .fail, .softfail, .neutral:
                return false
            case .none:
                throw context.stop(.permerror, "Included domain '\(target)' has no applicable sender policy")
            case .permerror, .temperror:
                throw Stop(verdict: result)
            }
        }
    }

    func countDNSTerm(_ context: Context) throws(Stop) {
        dnsTerms += 1
        if dnsTerms > options.maximumDNSTerms {
            throw context.stop(.permerror, "Maximum DNS-interactive terms limit (\(options.maximumDNSTerms)) exceeded")
        }
    }

    func countVoidLookup(_ context: Context) throws(Stop) {
        voidLookups += 1
        if let limit = options.maximumVoidLookups, voidLookups > limit {
            throw context.stop(.permerror, "Maximum void DNS look-ups limit (\(limit)) exceeded")
        }
    }

    /// A domain-spec expanded in this context and truncated to 253
    /// characters (section 7.3).
    func expandTarget(_ spec: SPFMacroString, _ context: Context) -> String {
        SPFDomainName.truncated(spec.expand(domain: context.domain, source: self,
                                            limit: options.maximumExpansionLength, target: .domain))
    }

    // MARK: DNS

    func lookup(_ name: String, _ type: DNSRecordType) -> DNSOutcome {
        queries += 1
        return resolver.lookup(DNSQuestion(name: name, type: type))
    }

    func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] {
        guard !questions.isEmpty else { return [] }
        queries += questions.count
        let outcomes = resolver.lookup(questions)
        // A resolver that answers short is treated as failing the rest.
        return outcomes.count == questions.count
            ? outcomes : questions.indices.map { $0 < outcomes.count ? outcomes[$0] : .error("no outcome") }
    }

    /// The address record type that can match the client.
    var addressType: DNSRecordType { ip.isIPv4 ? .a : .aaaa }

    /// Mail::SPF's wording for a failed lookup.
    static func dnsErrorText(_ outcome: DNSOutcome, type: DNSRecordType, name: String) -> String {
        let name = name.lowercased()
        switch outcome {
        case .timeout:
            return "Time-out on DNS '\(type)' lookup of '\(name)'"
        case .servfail:
            return "'SERVFAIL' error on DNS '\(type)' lookup of '\(name)'"
        case .error(let text) where !text.isEmpty && text.allSatisfy({ $0.isUppercase && $0.isASCII }):
            return "'\(text)' error on DNS '\(type)' lookup of '\(name)'"
        default:
            return "Unknown error on DNS '\(type)' lookup of '\(name)'"
        }
    }

    // MARK: Results

    /// The explanation of a top-level fail (section 6.2): the deciding
    /// record's `exp=` TXT, expanded, or the default. Any trouble with the
    /// `exp=` (no name, DNS error, no or several TXT records, bad syntax,
    /// non-ASCII) falls back to the default; none of it counts against the
    /// limits.
    func explanation(for verdict: Verdict) -> String {
        let context = Context(domain: verdict.domain, depth: verdict.depth)
        if let spec = verdict.explanation,
           let name = SPFDomainName.lookupName(expandTarget(spec, context)),
           case .answer(let records, _) = lookup(name, .txt) {
            let texts = records.compactMap(\.joinedText)
            if texts.count == 1, let parsed = try? SPFMacroString(parsing: texts[0], kind: .explanation) {
                return parsed.expand(domain: verdict.domain, source: self,
                                     limit: options.maximumExpansionLength, target: .explanation)
            }
        }
        let template = options.defaultExplanation.substituting("%{_scope}", with: request.scope.rawValue)
        guard let parsed = try? SPFMacroString(template, kind: .explanation) else { return template }
        return parsed.expand(domain: verdict.domain, source: self, limit: options.maximumExpansionLength, target: .explanation)
    }
}

extension SPFCheck: SPFMacroSource {
    func macroValue(_ letter: Character, domain: String) -> String {
        switch letter {
        case "s": return request.sender
        case "l": return request.localPart
        case "o": return request.domain
        case "d": return domain
        case "i": return ip.dottedForm
        case "p": return validatedName(for: domain)
        case "v": return ip.isIPv4 ? "in-addr" : "ip6"
        case "h": return request.helo.flatMap { $0.isEmpty ? nil : DomainNameIDNA.queryName($0) } ?? "unknown"
        case "c": return ip.description
        case "r": return options.receiver.isEmpty ? "unknown" : options.receiver
        case "t": return String(options.timestamp())
        default: return ""
        }
    }
}
