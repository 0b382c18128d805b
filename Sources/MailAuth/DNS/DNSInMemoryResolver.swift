/// A DNS zone held in memory, answering like an authoritative server plus a
/// recursive resolver's CNAME chasing. Tests of every check use it, and the
/// SPF conformance suite loads its `zonedata` into it, so adding records is
/// one call per record:
///
///     var dns = InMemoryDNSResolver()
///     dns.add("example.com", .txt("v=spf1 mx -all"))
///     dns.add("example.com", .mx(preference: 10, exchange: "mx.example.com"))
///     dns.add("mx.example.com", .a("192.0.2.10"))
///     dns.markTimeout("slow.example.com")
///
/// Names are case-insensitive and a trailing dot is ignored. A name with
/// no records but with names below it is an empty non-terminal (NODATA,
/// not NXDOMAIN), as in real DNS.
public struct InMemoryDNSResolver: DNSResolver, Sendable {
    /// TTL given to records added without one.
    public var defaultTTL: UInt32
    /// MINIMUM of the zone's implied SOA: the TTL negative answers report.
    public var negativeTTL: UInt32

    private struct RRSet: Sendable {
        var records: [DNSRecord] = []
        var ttl: UInt32
    }

    private struct Key: Hashable, Sendable {
        var name: String
        var type: DNSRecordType?
    }

    private var sets: [String: [DNSRecordType: RRSet]] = [:]
    private var forced: [Key: DNSOutcome] = [:]

    public init(defaultTTL: UInt32 = 300, negativeTTL: UInt32 = 300) {
        self.defaultTTL = defaultTTL
        self.negativeTTL = negativeTTL
    }

    // MARK: Building the zone

    /// Adds one record at `name`. A TTL given for a type already present
    /// lowers the set's TTL (an RRset has one TTL).
    public mutating func add(_ name: String, _ record: DNSRecord, ttl: UInt32? = nil) {
        let key = DNSName.normalized(name)
        var set = sets[key, default: [:]][record.type] ?? RRSet(ttl: ttl ?? defaultTTL)
        set.records.append(record)
        if let ttl { set.ttl = min(set.ttl, ttl) }
        sets[key, default: [:]][record.type] = set
    }

    /// Adds several records at `name`.
    public mutating func add(_ name: String, _ records: [DNSRecord], ttl: UInt32? = nil) {
        for record in records { add(name, record, ttl: ttl) }
    }

    /// Makes the name exist without records (for NODATA on every type).
    public mutating func addEmptyNode(_ name: String) {
        let key = DNSName.normalized(name)
        if sets[key] == nil { sets[key] = [:] }
    }

    /// Removes the records of `type` at `name`, or all of them (and any
    /// forced outcome) when `type` is nil.
    public mutating func remove(_ name: String, type: DNSRecordType? = nil) {
        let key = DNSName.normalized(name)
        if let type {
            sets[key]?[type] = nil
            forced[Key(name: key, type: type)] = nil
        } else {
            sets[key] = nil
            forced = forced.filter { $0.key.name != key }
        }
    }

    /// Forces an outcome. With a type, lookups of that type at `name`
    /// return it whatever records exist. Without one, it applies to every
    /// type for which `name` holds no records: the meaning of a bare
    /// `TIMEOUT` entry in the SPF suite's zone data, where the records
    /// listed next to it still answer.
    public mutating func set(_ outcome: DNSOutcome, for name: String, type: DNSRecordType? = nil) {
        forced[Key(name: DNSName.normalized(name), type: type)] = outcome
    }

    public mutating func markTimeout(_ name: String, type: DNSRecordType? = nil) { set(.timeout, for: name, type: type) }
    public mutating func markServfail(_ name: String, type: DNSRecordType? = nil) { set(.servfail, for: name, type: type) }
    public mutating func markNXDomain(_ name: String) { set(.nxdomain, for: name) }

    /// The records stored for `name` and `type` (no CNAME following).
    public func records(at name: String, type: DNSRecordType) -> [DNSRecord] {
        sets[DNSName.normalized(name)]?[type]?.records ?? []
    }

    // MARK: Answering

    public func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] {
        questions.map(resolve)
    }

    private func resolve(_ question: DNSQuestion) -> DNSOutcome {
        var follower = DNSChainFollower(question: question)
        // Every step asks a new name, and the follower ends any chain after
        // maximumLinks, so this loop is bounded; the cap is a second guard.
        for _ in 0...(DNSChainFollower.maximumLinks + 1) {
            let current = follower.currentQuestion
            if let outcome = forcedOutcome(current) { return outcome }
            switch follower.interpret(response(to: current)) {
            case .finished(let outcome, _): return outcome
            case .ask: continue
            }
        }
        return .servfail
    }

    private func forcedOutcome(_ question: DNSQuestion) -> DNSOutcome? {
        if let outcome = forced[Key(name: question.name, type: question.type)] { return outcome }
        guard let outcome = forced[Key(name: question.name, type: nil)] else { return nil }
        let here = sets[question.name] ?? [:]
        let hasData = !(here[question.type]?.records.isEmpty ?? true)
            || (question.type != .cname && !(here[.cname]?.records.isEmpty ?? true))
        return hasData ? nil : outcome
    }

    /// What an authoritative server for the whole zone would answer: the
    /// records, or the CNAME alone (the follower asks for its target), or
    /// a negative answer with an SOA carrying `negativeTTL`.
    private func response(to question: DNSQuestion) -> DNSResponseMessage {
        let name = question.name
        if let here = sets[name] {
            if let set = here[question.type], !set.records.isEmpty {
                return DNSResponseMessage(rcode: .noError, answers: set.records.map {
                    DNSResourceRecord(owner: name, ttl: set.ttl, record: $0)
                })
            }
            if question.type != .cname, let set = here[.cname], let link = set.records.first {
                return DNSResponseMessage(rcode: .noError, answers: [DNSResourceRecord(owner: name, ttl: set.ttl, record: link)])
            }
            return DNSResponseMessage(rcode: .noError, authoritySOA: soa)
        }
        if sets.keys.contains(where: { DNSName.isStrictSubdomain($0, of: name) }) {
            return DNSResponseMessage(rcode: .noError, authoritySOA: soa)
        }
        return DNSResponseMessage(rcode: .nameError, authoritySOA: soa)
    }

    private var soa: DNSResourceRecord {
        DNSResourceRecord(owner: ".", ttl: negativeTTL,
                          record: .soa(DNSSOA(mname: "ns.invalid", rname: "hostmaster.invalid", minimum: negativeTTL)))
    }
}
