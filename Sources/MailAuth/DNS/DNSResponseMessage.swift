/// A DNS response reduced to what resolution needs, independent of the
/// packet library: the helper fills it from ldns, the in-memory resolver
/// builds it from its zone, and `DNSChainFollower` interprets it. Records
/// of types we do not model (RRSIG, OPT, ...) are left out.
public struct DNSResponseMessage: Hashable, Sendable {
    public var rcode: DNSResponseCode
    public var answers: [DNSResourceRecord]
    /// The SOA record of the authority section, if any: its TTL and
    /// MINIMUM bound how long a negative answer may be cached (RFC 2308
    /// section 5).
    public var authoritySOA: DNSResourceRecord?

    public init(rcode: DNSResponseCode, answers: [DNSResourceRecord] = [], authoritySOA: DNSResourceRecord? = nil) {
        self.rcode = rcode
        self.answers = answers
        self.authoritySOA = authoritySOA
    }

    /// RFC 2308 section 5: a negative answer lives min(SOA TTL, SOA
    /// MINIMUM); without an SOA it must not be cached (0).
    public var negativeTTL: UInt32 {
        guard let soa = authoritySOA, case .soa(let data) = soa.record else { return 0 }
        return min(soa.ttl, data.minimum)
    }
}

/// One record with its owner and TTL.
public struct DNSResourceRecord: Hashable, Sendable {
    public var owner: String
    public var ttl: UInt32
    public var record: DNSRecord

    public init(owner: String, ttl: UInt32, record: DNSRecord) {
        self.owner = owner
        self.ttl = ttl
        self.record = record
    }
}

/// The RCODE of a response (RFC 1035 section 4.1.1, RFC 6895).
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let noError = DNSResponseCode(rawValue: 0)
    public static let formatError = DNSResponseCode(rawValue: 1)
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    public static let nameError = DNSResponseCode(rawValue: 3)
    public static let notImplemented = DNSResponseCode(rawValue: 4)
    public static let refused = DNSResponseCode(rawValue: 5)

    /// The mnemonic as Net::DNS prints it (the Perl program logs these).
    public var description: String {
        switch rawValue {
        case 0: return "NOERROR"
        case 1: return "FORMERR"
        case 2: return "SERVFAIL"
        case 3: return "NXDOMAIN"
        case 4: return "NOTIMP"
        case 5: return "REFUSED"
        case 6: return "YXDOMAIN"
        case 7: return "YXRRSET"
        case 8: return "NXRRSET"
        case 9: return "NOTAUTH"
        case 10: return "NOTZONE"
        default: return "RCODE\(rawValue)"
        }
    }

    /// NOERROR and NXDOMAIN are answers; anything else says this server
    /// could not answer, and another server may (Net::DNS moves on too).
    public var isAnswer: Bool { self == .noError || self == .nameError }
}
