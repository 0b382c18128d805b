import MailAuth

/// Where mail for a domain goes (RFC 5321 section 5.1, RFC 7505): the
/// hosts to try, in order, or why there are none.
///
///     switch MailExchangerRoute.find(for: "example.net", resolver: resolver) {
///     case .hosts(let hosts): // try hosts[0].name, then hosts[1].name, ...
///     case .unroutable(let reason, let temporary): // log, retry later if temporary
///     }
///
/// - MX records sorted by preference, lowest first; equal preferences keep
///   the order the resolver gave (RFC 5321 asks senders to randomise
///   those; a report sender that sends a handful of messages a day gains
///   nothing from it, and a fixed order is easier to follow in logs);
///   a host named twice is tried once;
/// - no MX records but the name exists: the implicit MX, the domain
///   itself, when it has an A or AAAA record;
/// - a null MX (RFC 7505: `0 .`): no hosts, permanently; MX records whose
///   exchange is the root are dropped from any other list too;
/// - NXDOMAIN: no hosts, permanently; a failed lookup: no hosts, for now.
///
/// Host names are returned, not addresses: the SMTP client resolves them
/// when it connects.
public enum MailExchangerRoute: Sendable, Hashable {
    /// One host to try.
    public struct Host: Sendable, Hashable, CustomStringConvertible {
        /// The exchange's name (normalized: lowercase, no trailing dot).
        public var name: String
        /// The MX preference; nil for the implicit MX.
        public var preference: UInt16?

        public init(name: String, preference: UInt16?) {
            self.name = name
            self.preference = preference
        }

        public var description: String {
            preference.map { "\(name) (MX \($0))" } ?? "\(name) (implicit MX)"
        }
    }

    /// The hosts to try, in order; never empty.
    case hosts([Host])
    /// Nowhere to send. `temporary` is true when a DNS failure may go
    /// away (try again later), false when DNS said no.
    case unroutable(reason: String, temporary: Bool)

    /// The host names to try, in order (none when unroutable).
    public var hostNames: [String] {
        if case .hosts(let hosts) = self { return hosts.map(\.name) }
        return []
    }

    /// Looks up the route for `domain` (an MX query, then A and AAAA in one
    /// batch when there is no MX).
    public static func find(for domain: String, resolver: some DNSResolver) -> MailExchangerRoute {
        let name = DNSName.normalized(domain)
        guard !name.isEmpty, name != "." else {
            return .unroutable(reason: "\"\(domain.prefix(80))\" is not a domain name", temporary: false)
        }
        let outcome = resolver.lookup(name: name, type: .mx)
        switch outcome {
        case .nxdomain:
            return .unroutable(reason: "\(name) does not exist (NXDOMAIN)", temporary: false)
        case .servfail, .timeout, .error:
            return .unroutable(reason: "MX lookup for \(name) failed (\(outcome))", temporary: true)
        case .nodata:
            return implicitRoute(for: name, resolver: resolver)
        case .answer(let records, _):
            return route(from: records, domain: name, resolver: resolver)
        }
    }

    private static func route(from records: [DNSRecord], domain: String, resolver: some DNSResolver) -> MailExchangerRoute {
        var exchanges: [(preference: UInt16, order: Int, name: String)] = []
        var sawNullMX = false
        for (order, record) in records.enumerated() {
            guard case .mx(let preference, let exchange) = record else { continue }
            let target = DNSName.normalized(exchange)
            if target == "." || target.isEmpty {
                sawNullMX = true
                continue
            }
            exchanges.append((preference, order, target))
        }
        if exchanges.isEmpty {
            if sawNullMX {
                return .unroutable(reason: "\(domain) publishes a null MX (RFC 7505): it accepts no mail", temporary: false)
            }
            // An answer with no MX data in it: treat as no MX at all.
            return implicitRoute(for: domain, resolver: resolver)
        }
        exchanges.sort { ($0.preference, $0.order) < ($1.preference, $1.order) }
        var hosts: [Host] = []
        for exchange in exchanges where !hosts.contains(where: { $0.name == exchange.name }) {
            hosts.append(Host(name: exchange.name, preference: exchange.preference))
        }
        return .hosts(hosts)
    }

    /// RFC 5321 section 5.1: no MX records, so the domain itself is the
    /// exchange, if it has an address.
    private static func implicitRoute(for domain: String, resolver: some DNSResolver) -> MailExchangerRoute {
        let outcomes = resolver.lookup([DNSQuestion(name: domain, type: .a), DNSQuestion(name: domain, type: .aaaa)])
        if outcomes.contains(where: { !$0.records.isEmpty }) {
            return .hosts([Host(name: domain, preference: nil)])
        }
        if let failed = outcomes.first(where: \.isTemporaryFailure) {
            return .unroutable(reason: "\(domain) has no MX record and its address lookup failed (\(failed))", temporary: true)
        }
        if outcomes.count < 2 {
            return .unroutable(reason: "\(domain) has no MX record and the resolver gave no address outcome", temporary: true)
        }
        return .unroutable(reason: "\(domain) has no MX record and no A or AAAA record", temporary: false)
    }
}
