#if canImport(Glibc)
import Glibc
#endif
import CLDNS
import LDNSRecords
import MailAuth

/// A plain stub resolver on ldns for the report sender, which runs outside
/// the milter's sandbox and so has no DNS helper to ask:
///
///     let dns = try LDNSStubResolver()                                  // /etc/resolv.conf
///     let dns = try LDNSStubResolver(servers: ["127.0.0.1:5353"], timeoutSeconds: 2)
///
/// Questions are asked one after the other (a report run asks a few dozen
/// at most). Outcomes mean what they mean everywhere else in the project
/// (`DNSOutcome`, as the DNS helper produces them):
///
/// - records of the type asked for: `.answer`, CNAME chains followed
///   (`DNSChainFollower`, also across several answers);
/// - NXDOMAIN: `.nxdomain`; the name exists without such records: `.nodata`;
/// - SERVFAIL from every server: `.servfail`; REFUSED, FORMERR, NOTIMP...:
///   `.error` with the RCODE; an answer ldns cannot parse, or records whose
///   data do not fit their type: `.error("malformed answer: ...")`;
/// - no answer at all (no server reachable in time): `.timeout`.
///
/// A server answering anything but NOERROR or NXDOMAIN, or an answer that
/// does not match the query (id, question), makes the next server be
/// asked, as Net::DNS and the DNS helper do.
///
/// Timing: ldns waits `timeoutSeconds` for each attempt and makes
/// `attempts` attempts per server, so one question (one CNAME link) takes
/// at most servers × attempts × timeoutSeconds. ldns does the UDP
/// exchange and the retry over TCP of a truncated answer.
///
/// Not thread-safe: ldns resolvers keep per-server state; use one instance
/// from one thread.
public final class LDNSStubResolver: DNSResolver {
    /// The resolver could not be set up.
    /// EDNS0 UDP payload size (DNS flag day 2020), as the DNS helper uses.
    public static let udpPayloadSize: UInt16 = 1232

    public let timeoutSeconds: Double
    public let attempts: Int
    /// The servers asked, for logs ("127.0.0.1:53", "[::1]:5353", or
    /// "/etc/resolv.conf: 192.0.2.53").
    public let serverDescriptions: [String]

    /// One ldns resolver per server given (ldns has one port per
    /// resolver), or the single one built from /etc/resolv.conf.
    private let resolvers: [UnsafeMutablePointer<ldns_resolver>]

    /// `servers`: `ip`, `ip:port`, `ipv6` or `[ipv6]:port` (no names: a
    /// resolver's name would need a resolver); empty reads the
    /// `nameserver` lines of /etc/resolv.conf through ldns.
    /// `attempts` is clamped to 1...10.
    public init(servers: [String] = [], timeoutSeconds: Double = 5, attempts: Int = 2) throws(ReportError) {
        guard timeoutSeconds > 0, timeoutSeconds <= 3600 else {
            throw ReportError(.resolver, "DNS timeout must be between 0 and 3600 seconds, not \(timeoutSeconds)")
        }
        self.timeoutSeconds = timeoutSeconds
        self.attempts = min(max(attempts, 1), 10)
        var made: [UnsafeMutablePointer<ldns_resolver>] = []
        var descriptions: [String] = []
        if servers.isEmpty {
            var resolver: UnsafeMutablePointer<ldns_resolver>? = nil
            let status = ldns_resolver_new_frm_file(&resolver, nil)
            guard status == LDNS_STATUS_OK, let resolver else {
                if let resolver { ldns_resolver_deep_free(resolver) }
                throw ReportError(.resolver, "cannot read /etc/resolv.conf: \(String(cString: ldns_get_errorstr_by_id(status)))")
            }
            guard ldns_resolver_nameserver_count(resolver) > 0, let list = ldns_resolver_nameservers(resolver) else {
                ldns_resolver_deep_free(resolver)
                throw ReportError(.resolver, "/etc/resolv.conf names no usable nameserver")
            }
            for index in 0..<ldns_resolver_nameserver_count(resolver) {
                descriptions.append("/etc/resolv.conf: " + (list[index].map(Self.addressText) ?? "?"))
            }
            made.append(resolver)
        } else {
            for text in servers {
                guard let server = DNSServerAddress(text) else {
                    made.forEach { ldns_resolver_deep_free($0) }
                    throw ReportError(.resolver, "\"\(text.prefix(80))\" is not a resolver address (ip, ip:port or [ipv6]:port)")
                }
                guard server.zone == nil else {
                    made.forEach { ldns_resolver_deep_free($0) }
                    throw ReportError(.resolver, "\(server): link-local resolvers with a zone are not supported")
                }
                guard let resolver = ldns_resolver_new() else {
                    made.forEach { ldns_resolver_deep_free($0) }
                    throw ReportError(.resolver, "ldns cannot allocate a resolver")
                }
                let rdf = server.address.withUnsafeBufferPointer { bytes in
                    ldns_rdf_new_frm_data(server.isIPv6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, bytes.count, bytes.baseAddress)
                }
                // ldns copies the address it is given.
                let pushed = rdf.map { ldns_resolver_push_nameserver(resolver, $0) } ?? LDNS_STATUS_MEM_ERR
                if let rdf { ldns_rdf_deep_free(rdf) }
                guard pushed == LDNS_STATUS_OK else {
                    ldns_resolver_deep_free(resolver)
                    made.forEach { ldns_resolver_deep_free($0) }
                    throw ReportError(.resolver, "ldns refused \(server): \(String(cString: ldns_get_errorstr_by_id(pushed)))")
                }
                ldns_resolver_set_port(resolver, server.port)
                made.append(resolver)
                descriptions.append(server.description)
            }
        }
        let seconds = timeoutSeconds.rounded(.down)
        let timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((timeoutSeconds - seconds) * 1_000_000))
        // ldns's `bool` is a C char here: 1 and 0.
        for resolver in made {
            ldns_resolver_set_timeout(resolver, timeout)
            ldns_resolver_set_retry(resolver, UInt8(self.attempts))
            ldns_resolver_set_recursive(resolver, 1)
            // Ask in the order configured, as resolv.conf(5) does.
            ldns_resolver_set_random(resolver, 0)
            ldns_resolver_set_edns_udp_size(resolver, Self.udpPayloadSize)
            ldns_resolver_set_fallback(resolver, 1)
            // Names are absolute: no search list, no default domain.
            ldns_resolver_set_defnames(resolver, 0)
            ldns_resolver_set_dnsrch(resolver, 0)
        }
        resolvers = made
        serverDescriptions = descriptions
    }

    deinit {
        for resolver in resolvers { ldns_resolver_deep_free(resolver) }
    }

    public func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] {
        questions.map(resolve)
    }

    // MARK: One question

    private func resolve(_ question: DNSQuestion) -> DNSOutcome {
        guard !question.name.isEmpty, let asked = ldns_dname_new_frm_str(question.name) else {
            return .error("invalid domain name")
        }
        // Follow in the form names come out of packets ("a\065" is "aa").
        let canonical = DNSName.fromWire(Self.bytes(of: asked)).map(DNSName.normalized) ?? DNSName.normalized(question.name)
        ldns_rdf_deep_free(asked)
        var follower = DNSChainFollower(question: DNSQuestion(name: canonical, type: question.type))
        // Each round asks a new name and the follower ends any chain after
        // maximumLinks; the cap is a second guard.
        for _ in 0...(DNSChainFollower.maximumLinks + 1) {
            switch exchange(follower.currentQuestion) {
            case .failed(let outcome):
                return outcome
            case .answered(let message):
                switch follower.interpret(message) {
                case .finished(let outcome, _): return outcome
                case .ask: continue
                }
            }
        }
        return .servfail
    }

    private enum Exchange {
        /// NOERROR or NXDOMAIN from some server.
        case answered(DNSResponseMessage)
        /// Every server failed; the last failure, as an outcome.
        case failed(DNSOutcome)
    }

    /// Asks each server in turn until one gives NOERROR or NXDOMAIN.
    private func exchange(_ question: DNSQuestion) -> Exchange {
        guard let name = ldns_dname_new_frm_str(question.name) else { return .failed(.error("invalid domain name")) }
        defer { ldns_rdf_deep_free(name) }
        let type = ldns_rr_type(rawValue: UInt32(question.type.rawValue))
        var lastFailure: DNSOutcome = .timeout
        for resolver in resolvers {
            // ldns marks a server that did not answer as unreachable and
            // never asks it again; one lost packet must not silence a
            // server for the rest of the run, so every question starts
            // with every server reachable.
            for index in 0..<ldns_resolver_nameserver_count(resolver) {
                ldns_resolver_set_nameserver_rtt(resolver, index, Int(LDNS_RESOLV_RTT_MIN))
            }
            var built: UnsafeMutablePointer<ldns_pkt>? = nil
            let prepared = ldns_resolver_prepare_query_pkt(&built, resolver, name, type, LDNS_RR_CLASS_IN, UInt16(LDNS_RD))
            guard prepared == LDNS_STATUS_OK, let query = built else {
                if let built { ldns_pkt_free(built) }
                return .failed(.error("cannot build a query: \(String(cString: ldns_get_errorstr_by_id(prepared)))"))
            }
            defer { ldns_pkt_free(query) }
            // Our own random id, checked below: the answer must be to
            // this query.
            let id = UInt16.random(in: .min ... .max)
            ldns_pkt_set_id(query, id)
            var received: UnsafeMutablePointer<ldns_pkt>? = nil
            let status = ldns_resolver_send_pkt(&received, resolver, query)
            guard status == LDNS_STATUS_OK, let answer = received else {
                if let received { ldns_pkt_free(received) }
                lastFailure = Self.outcome(forFailed: status)
                continue
            }
            defer { ldns_pkt_free(answer) }
            guard ldns_pkt_id(answer) == id, ldns_pkt_qr(answer) != 0 else {
                lastFailure = .error("malformed answer: not an answer to the query sent")
                continue
            }
            let rcode = DNSResponseCode(rawValue: UInt8(truncatingIfNeeded: ldns_pkt_get_rcode(answer).rawValue))
            guard rcode.isAnswer else {
                lastFailure = rcode == .serverFailure ? .servfail : .error(rcode.description)
                continue
            }
            guard Self.questionMatches(answer, name: name, type: type) else {
                lastFailure = .error("malformed answer: the question in the answer is not the one asked")
                continue
            }
            switch Self.message(from: answer, rcode: rcode) {
            case .success(let message):
                return .answered(message)
            case .failure(let problem):
                lastFailure = .error("malformed answer: \(problem.description)")
            }
        }
        return .failed(lastFailure)
    }

    /// A failed exchange: a packet that could not be parsed is a malformed
    /// answer; anything else means no server answered in time (the DNS
    /// helper reports unreachable resolvers as a timeout too).
    private static func outcome(forFailed status: ldns_status) -> DNSOutcome {
        let parseErrors: [ldns_enum_status] = [
            LDNS_STATUS_WIRE_INCOMPLETE_HEADER, LDNS_STATUS_WIRE_INCOMPLETE_QUESTION,
            LDNS_STATUS_WIRE_INCOMPLETE_ANSWER, LDNS_STATUS_WIRE_INCOMPLETE_AUTHORITY,
            LDNS_STATUS_WIRE_INCOMPLETE_ADDITIONAL, LDNS_STATUS_PACKET_OVERFLOW,
            LDNS_STATUS_INVALID_POINTER, LDNS_STATUS_LABEL_OVERFLOW, LDNS_STATUS_DOMAINNAME_OVERFLOW,
        ]
        if parseErrors.contains(where: { $0.rawValue == status.rawValue }) {
            return .error("malformed answer: \(String(cString: ldns_get_errorstr_by_id(status)))")
        }
        return .timeout
    }

    private static func questionMatches(_ answer: UnsafeMutablePointer<ldns_pkt>, name: UnsafeMutablePointer<ldns_rdf>,
                                        type: ldns_rr_type) -> Bool {
        guard let questions = ldns_pkt_question(answer), ldns_rr_list_rr_count(questions) == 1,
              let question = ldns_rr_list_rr(questions, 0), let owner = ldns_rr_owner(question) else { return false }
        return ldns_rr_get_type(question) == type && ldns_rr_get_class(question) == LDNS_RR_CLASS_IN
            && ldns_dname_compare(owner, name) == 0
    }

    // MARK: Packet to DNSResponseMessage

    /// The answer section's records of the types we model (class IN), and
    /// the authority section's SOA (negative TTL).
    private static func message(from packet: UnsafeMutablePointer<ldns_pkt>, rcode: DNSResponseCode) -> Result<DNSResponseMessage, ReportError> {
        do {
            return .success(try LDNSRecordConversion.message(of: packet, rcode: rcode))
        } catch {
            return .failure(ReportError(.resolver, error.description))
        }
    }

    private static func bytes(of rdf: UnsafeMutablePointer<ldns_rdf>) -> [UInt8] {
        LDNSRecordConversion.bytes(of: rdf)
    }

    /// An A or AAAA rdf as text.
    private static func addressText(_ rdf: UnsafeMutablePointer<ldns_rdf>) -> String {
        let data = bytes(of: rdf)
        switch data.count {
        case 4: return DNSAddressText.formatIPv4(data)
        case 16: return DNSAddressText.formatIPv6(data)
        default: return "?"
        }
    }
}
