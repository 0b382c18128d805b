/// One resource record's data, typed. Owner names and TTLs live outside
/// (in `DNSOutcome.answer` and `DNSResourceRecord`). Names in rdata are
/// absolute, in presentation form without the trailing dot, in the case the
/// server sent (compare them with `DNSName.equal`).
public enum DNSRecord: Hashable, Sendable {
    /// 4 bytes, network order.
    case a([UInt8])
    /// 16 bytes, network order.
    case aaaa([UInt8])
    /// The character-strings of ONE record, each at most 255 bytes, raw:
    /// callers join them as their RFC says (RFC 7208 section 3.3 and
    /// RFC 6376 section 3.6.2.2: concatenated with nothing in between).
    case txt([[UInt8]])
    /// Type 99, same layout as TXT.
    case spf([[UInt8]])
    case mx(preference: UInt16, exchange: String)
    case ptr(String)
    case cname(String)
    case ns(String)
    case soa(DNSSOA)

    public var type: DNSRecordType {
        switch self {
        case .a: return .a
        case .aaaa: return .aaaa
        case .txt: return .txt
        case .spf: return .spf
        case .mx: return .mx
        case .ptr: return .ptr
        case .cname: return .cname
        case .ns: return .ns
        case .soa: return .soa
        }
    }

    // MARK: Building records from text (zones written in tests)

    /// An A record from a dotted quad. Traps on a malformed address: zone
    /// data is written by us, and a typo must fail loudly. Use
    /// `DNSRecord.address(_:)` for untrusted text.
    public static func a(_ text: String) -> DNSRecord {
        guard let bytes = DNSAddressText.parseIPv4(text) else { preconditionFailure("not an IPv4 address: \(text)") }
        return .a(bytes)
    }

    /// An AAAA record from RFC 4291 text; traps like `a(_:)`.
    public static func aaaa(_ text: String) -> DNSRecord {
        guard let bytes = DNSAddressText.parseIPv6(text) else { preconditionFailure("not an IPv6 address: \(text)") }
        return .aaaa(bytes)
    }

    /// An A or AAAA record from either text form, or nil.
    public static func address(_ text: String) -> DNSRecord? {
        if let v4 = DNSAddressText.parseIPv4(text) { return .a(v4) }
        if let v6 = DNSAddressText.parseIPv6(text) { return .aaaa(v6) }
        return nil
    }

    /// A TXT record of the given strings (UTF-8). `.txt()` is a record with
    /// no strings at all, which zone data of the SPF suite does contain.
    public static func txt(_ strings: String...) -> DNSRecord {
        .txt(strings.map { Array($0.utf8) })
    }

    /// A type-99 SPF record of the given strings (UTF-8).
    public static func spf(_ strings: String...) -> DNSRecord {
        .spf(strings.map { Array($0.utf8) })
    }

    // MARK: Reading records

    /// The address of an A or AAAA record as text (RFC 5952 for IPv6).
    public var addressText: String? {
        switch self {
        case .a(let bytes): return DNSAddressText.formatIPv4(bytes)
        case .aaaa(let bytes): return DNSAddressText.formatIPv6(bytes)
        default: return nil
        }
    }

    /// The strings of a TXT or SPF record concatenated with nothing in
    /// between (RFC 7208 section 3.3), as raw bytes.
    public var joinedText: [UInt8]? {
        switch self {
        case .txt(let strings), .spf(let strings): return strings.flatMap { $0 }
        default: return nil
        }
    }

    /// The name a CNAME, PTR, NS or MX record points at.
    public var target: String? {
        switch self {
        case .cname(let name), .ptr(let name), .ns(let name): return name
        case .mx(_, let exchange): return exchange
        default: return nil
        }
    }

    /// The record's value as text, as Net::DNS's accessors give it (what
    /// handlers put in comments and logs): the address of A/AAAA, the
    /// target of MX/PTR/CNAME/NS, the joined strings of TXT/SPF (UTF-8,
    /// invalid bytes replaced), the fields of SOA.
    public var presentation: String {
        switch self {
        case .a, .aaaa: return addressText ?? ""
        case .txt, .spf: return String(decoding: joinedText ?? [], as: UTF8.self)
        case .mx(_, let exchange): return exchange
        case .ptr(let name), .cname(let name), .ns(let name): return name
        case .soa(let soa):
            return "\(soa.mname) \(soa.rname) \(soa.serial) \(soa.refresh) \(soa.retry) \(soa.expire) \(soa.minimum)"
        }
    }

    /// `presentation` if the record is of `type`, else nil: answers hold
    /// only the type asked for, but this keeps `compactMap` callers honest.
    public func presentation(of type: DNSRecordType) -> String? {
        self.type == type ? presentation : nil
    }

    /// Rough heap footprint, for the helper's cache memory cap.
    public var approximateSize: Int {
        switch self {
        case .a, .aaaa: return 32
        case .txt(let strings), .spf(let strings): return 32 + strings.reduce(0) { $0 + $1.count + 24 }
        case .mx(_, let name), .ptr(let name), .cname(let name), .ns(let name): return 32 + name.utf8.count
        case .soa(let soa): return 64 + soa.mname.utf8.count + soa.rname.utf8.count
        }
    }
}

/// The data of an SOA record (RFC 1035 section 3.3.13). Only `minimum`
/// matters to us (negative caching, RFC 2308), the rest is carried for
/// completeness.
public struct DNSSOA: Hashable, Sendable {
    public var mname: String
    public var rname: String
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    public var minimum: UInt32

    public init(mname: String, rname: String, serial: UInt32 = 1, refresh: UInt32 = 3600,
                retry: UInt32 = 600, expire: UInt32 = 86400, minimum: UInt32 = 300) {
        self.mname = mname
        self.rname = rname
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}
