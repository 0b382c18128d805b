/// The mechanisms that look names up (RFC 7208 sections 5.3 to 5.7) and
/// the `%{p}` macro. Where lookups are independent they go to the resolver
/// as one batch (the A/AAAA of every MX host, the A/AAAA of every PTR
/// name), which the worker's DNS client sends in parallel.
extension SPFCheck {
    /// `a`: any address of the target within the prefix (section 5.3).
    func matchAddresses(of target: String, ip4Prefix: Int, ip6Prefix: Int, _ context: Context) throws(Stop) -> Bool {
        guard let name = SPFDomainName.lookupName(target) else {
            try countVoidLookup(context)
            return false
        }
        let outcome = lookup(name, addressType)
        switch outcome {
        case .answer(let records, _):
            return records.contains { addressMatches($0, ip4Prefix: ip4Prefix, ip6Prefix: ip6Prefix) }
        case .nxdomain, .nodata:
            try countVoidLookup(context)
            return false
        case .servfail, .timeout, .error:
            throw context.stop(.temperror, SPFCheck.dnsErrorText(outcome, type: addressType, name: name))
        }
    }

    /// `mx`: any address of any MX host (section 5.4). More than
    /// `maximumMXNames` MX records is a permerror (section 4.6.4); a null
    /// MX (".") has no addresses. A match wins over a failed host lookup;
    /// without a match, a failed one is a temperror. The term counts as one
    /// void lookup when the MX lookup, or every host lookup, came back empty.
    func matchMX(of target: String, ip4Prefix: Int, ip6Prefix: Int, _ context: Context) throws(Stop) -> Bool {
        guard let name = SPFDomainName.lookupName(target) else {
            try countVoidLookup(context)
            return false
        }
        let outcome = lookup(name, .mx)
        let records: [DNSRecord]
        switch outcome {
        case .answer(let found, _):
            records = found
        case .nxdomain, .nodata:
            try countVoidLookup(context)
            return false
        case .servfail, .timeout, .error:
            throw context.stop(.temperror, SPFCheck.dnsErrorText(outcome, type: .mx, name: name))
        }
        guard records.count <= options.maximumMXNames else {
            throw context.stop(.permerror, "Maximum MX records limit (\(options.maximumMXNames)) exceeded for '\(name)'")
        }
        var hosts: [String] = []
        for record in records {
            guard case .mx(_, let exchange) = record, let host = SPFDomainName.lookupName(exchange) else { continue }
            if !hosts.contains(where: { DNSName.equal($0, host) }) { hosts.append(host) }
        }
        guard !hosts.isEmpty else { return false }
        let outcomes = lookup(hosts.map { DNSQuestion(name: $0, type: addressType) })
        for outcome in outcomes {
            if outcome.records.contains(where: { addressMatches($0, ip4Prefix: ip4Prefix, ip6Prefix: ip6Prefix) }) { return true }
        }
        if let failed = outcomes.indices.first(where: { outcomes[$0].isTemporaryFailure }) {
            throw context.stop(.temperror, SPFCheck.dnsErrorText(outcomes[failed], type: addressType, name: hosts[failed]))
        }
        if outcomes.allSatisfy(\.isVoid) { try countVoidLookup(context) }
        return false
    }

    /// `ptr` (section 5.5): a validated name of the client that is the
    /// target or below it. A failed PTR lookup is no match; an empty one is
    /// a void lookup.
    func matchPTR(target: String, _ context: Context) throws(Stop) -> Bool {
        guard let names = try validatedNames(context: context) else { return false }
        let wanted = DNSName.normalized(target)
        return names.contains { name in
            let candidate = DNSName.normalized(name)
            return candidate == wanted || DNSName.isStrictSubdomain(candidate, of: wanted)
        }
    }

    /// `exists` (section 5.7): any A record, whatever the client's family.
    func matchExists(_ target: String, _ context: Context) throws(Stop) -> Bool {
        guard let name = SPFDomainName.lookupName(target) else {
            try countVoidLookup(context)
            return false
        }
        let outcome = lookup(name, .a)
        switch outcome {
        case .answer:
            return true
        case .nxdomain, .nodata:
            try countVoidLookup(context)
            return false
        case .servfail, .timeout, .error:
            throw context.stop(.temperror, SPFCheck.dnsErrorText(outcome, type: .a, name: name))
        }
    }

    /// Whether an A/AAAA record is within the prefix of the client.
    func addressMatches(_ record: DNSRecord, ip4Prefix: Int, ip6Prefix: Int) -> Bool {
        switch record {
        case .a(let bytes):
            guard ip.isIPv4, let address = IPAddress(bytes: bytes) else { return false }
            return address.shares(prefixLength: ip4Prefix, with: ip)
        case .aaaa(let bytes):
            guard ip.isIPv6, let address = IPAddress(bytes: bytes) else { return false }
            return address.shares(prefixLength: ip6Prefix, with: ip)
        default:
            return false
        }
    }

    /// The client's validated names (section 5.5): PTR names, first
    /// `maximumPTRNames` only, whose A/AAAA include the client; lookup
    /// errors on those skip the name. nil when the PTR lookup failed or was
    /// empty; `context` set means a mechanism is asking, and an empty PTR
    /// answer then counts as a void lookup.
    func validatedNames(context: Context?) throws(Stop) -> [String]? {
        let reverse = ip.reverseDomainName
        let outcome = lookup(reverse, .ptr)
        let names: [String]
        switch outcome {
        case .answer(let records, _):
            names = Array(records.compactMap { record -> String? in
                guard case .ptr(let target) = record else { return nil }
                return SPFDomainName.lookupName(target)
            }.prefix(options.maximumPTRNames))
        case .nxdomain, .nodata:
            if let context { try countVoidLookup(context) }
            return nil
        case .servfail, .timeout, .error:
            return nil
        }
        let outcomes = lookup(names.map { DNSQuestion(name: $0, type: addressType) })
        return names.indices.filter { index in
            outcomes[index].records.contains { addressMatches($0, ip4Prefix: 128, ip6Prefix: 128) }
        }.map { names[$0] }
    }

    /// `%{p}` (section 7.3): a validated name equal to `domain`, else one
    /// below it, else any, else "unknown". Computed once per domain per
    /// check; its lookups do not count against the limits (they are bounded
    /// by `maximumPTRNames` and the cache).
    func validatedName(for domain: String) -> String {
        let key = DNSName.normalized(domain)
        if let cached = validatedNameCache[key] { return cached }
        let names = try? validatedNames(context: nil)
        var chosen = "unknown"
        if let names {
            let normalized = names.map(DNSName.normalized)
            if let exact = normalized.firstIndex(of: key) {
                chosen = names[exact]
            } else if let below = normalized.firstIndex(where: { DNSName.isStrictSubdomain($0, of: key) }) {
                chosen = names[below]
            } else if let any = names.first {
                chosen = any
            }
        }
        validatedNameCache[key] = chosen
        return chosen
    }
}
