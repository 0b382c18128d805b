/// The result of one lookup, as the checks need it: records, or which kind
/// of "no" (the difference matters: SPF counts void lookups, DMARC and
/// DKIM map NXDOMAIN and SERVFAIL to different results).
public enum DNSOutcome: Hashable, Sendable {
    /// Records of the type asked for (never empty: no records is
    /// `.nodata`), after following any CNAME chain, with the smallest TTL
    /// along the way (seconds left, when served from a cache).
    case answer([DNSRecord], ttl: UInt32)
    /// The name does not exist (RCODE 3).
    case nxdomain
    /// The name exists, but has no records of this type.
    case nodata
    /// The resolvers answered SERVFAIL, or the CNAME chain was broken
    /// (loop, more than 8 links).
    case servfail
    /// No usable answer within the configured time. SERVFAIL answers that
    /// took longer than `dns_servfail_timeout` are reported as this too.
    case timeout
    /// Any other failure: REFUSED, FORMERR, NOTIMP, a malformed answer, an
    /// invalid name, the helper refusing more work. The text is for logs.
    case error(String)

    /// The records of an answer, or none.
    public var records: [DNSRecord] {
        if case .answer(let records, _) = self { return records }
        return []
    }

    /// Whether the lookup failed for a reason that may go away (the
    /// "temperror" family), as opposed to a definite answer or denial.
    public var isTemporaryFailure: Bool {
        switch self {
        case .answer, .nxdomain, .nodata: return false
        case .servfail, .timeout, .error: return true
        }
    }

    /// Whether the lookup returned nothing for a definite reason (RFC 7208
    /// section 4.6.4 "void lookup").
    public var isVoid: Bool {
        switch self {
        case .nxdomain, .nodata: return true
        default: return false
        }
    }
}

extension DNSOutcome: CustomStringConvertible {
    public var description: String {
        switch self {
        case .answer(let records, let ttl): return "\(records.count) record(s), ttl \(ttl)"
        case .nxdomain: return "NXDOMAIN"
        case .nodata: return "NODATA"
        case .servfail: return "SERVFAIL"
        case .timeout: return "timeout"
        case .error(let text): return "error: \(text)"
        }
    }
}
