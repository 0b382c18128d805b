import Config
import MailAuth
import Metrics

/// IPRev: forward-confirmed reverse DNS of the client (RFC 8601 section 3).
/// At connect, for clients that are neither local nor trusted: the PTR
/// names of the address, then each name's addresses; a name that maps back
/// to the client address verifies it. One connection-level entry:
///
///     iprev=pass smtp.remote-ip=192.0.2.1 (mail.example.com)
///     iprev=fail smtp.remote-ip=192.0.2.1 (Error NXDOMAIN looking up 192.0.2.1 PTR,NOT FOUND)
///     iprev=fail smtp.remote-ip=192.0.2.6 (Error NOERROR looking up 192.0.2.6 PTR)
///     iprev=temperror smtp.remote-ip=192.0.2.1 (Error query timed out looking up 192.0.2.1 PTR,NOT FOUND)
///
/// The notes are the newest Perl release's with Debian's Net::DNS (1.36):
/// its resolver's `errorstring` is the reply's RCODE after every reply, a
/// successful one included ("historical quirk" in Net::DNS), so the PTR
/// lookup is always noted (`Error NOERROR looking up ... PTR` when it found
/// names that then did not verify) and so is every forward lookup of a name
/// that gave no address. A failure therefore never has an empty comment.
///
/// As in Perl 2.x: the property is `smtp.remote-ip` (renamed from
/// `policy.iprev` in 2.20181013), the address is written as Net::IP writes
/// it (IPv6 in full), a pass lists the verified names, a failure lists the
/// lookup errors in Perl's words and order, and at most 10 lookups are made
/// (one PTR, then the names in order: the client's own family first, the
/// other family only when the first gave no address).
///
/// Where this differs from Perl, deliberately: a SERVFAIL or timeout that
/// left the check undecided gives `temperror` (RFC 8601 2.7.3) where Perl
/// says `fail`; the lookups of all names go out together in two batches
/// instead of one by one; and because the resolver follows CNAMEs itself,
/// Perl's "Found CNAME in ... response" notes are not written.
public final class IPRevHandler: Handler {
    public static let name = "IPRev"
    public static let defaultConfigJSON = "{}"
    public static let helpText = """
        IPRev Module

        Check reverse IP lookups.

        CONFIGURATION
        No configuration options exist for this handler.
        """
    /// Perl's `connect_requires`: local and trusted clients are skipped, so
    /// those flags must be set first.
    public static var dependencies: [any Handler.Type] { [LocalIPHandler.self, TrustedIPHandler.self] }

    /// Perl's lookup budget for one connection, the PTR query included.
    static let lookupLimit = 10

    public init(config: ConfigNode) throws(ConfigurationError) {}

    public func connect(_ session: MailSession) throws {
        session.verifiedPTR = nil
        guard !session.isLocalIP, !session.isTrustedIP else { return }
        // No address to check (a Unix-socket client): no entry, as no
        // lookup can say anything about it.
        guard let client = ClientAddress(session.remoteIP) else { return }
        let evaluation = Self.evaluate(client, resolver: session.resolver)
        session.verifiedPTR = evaluation.verified.joined(separator: ",")
        session.count(.iprev, [evaluation.entry.result])
        session.addConnectionAuthResult(evaluation.entry)
    }

    public func close(_ session: MailSession) {
        session.verifiedPTR = nil
    }

    /// One forward lookup as Perl's `_address_for_domain` sees it: sent, or
    /// refused by the lookup budget.
    enum ForwardLookup {
        case limited
        case done(DNSOutcome)
    }

    static func evaluate(_ client: ClientAddress, resolver: any DNSResolver) -> (entry: AuthResultsEntry, verified: [String]) {
        let ip = client.perlText
        var errors: [String] = []
        var temporary = false

        // Perl notes the PTR lookup unless `errorstring` is empty or "unknown
        // error or no error", which Net::DNS 1.x never gives after a query.
        let ptr = resolver.lookup(DNSQuestion(name: client.reverseName, type: .ptr))
        errors.append("Error \(errorString(ptr)) looking up \(ip) PTR")
        temporary = temporary || isTemporary(ptr)
        var names: [String] = []
        var seen: Set<String> = []
        for case .ptr(let target) in ptr.records where seen.insert(target).inserted {
            names.append(target)
        }
        if names.isEmpty { errors.append("NOT FOUND") }
        // Perl sorts the names as Net::DNS gives them, with the final dot.
        names.sort { ($0 + ".").utf8.lexicographicallyPrecedes(($1 + ".").utf8) }

        let primary: DNSRecordType = client.isIPv6 ? .aaaa : .a
        let secondary: DNSRecordType = client.isIPv6 ? .a : .aaaa

        // First batch: the client's own family for every name the budget
        // can reach (never more than lookupLimit - 2 forward queries).
        let firstRound = lookup(names.prefix(lookupLimit - 2).map { DNSQuestion(name: $0, type: primary) }, resolver)
        // Replay Perl's budget name by name to know which queries it sends:
        // it counts down before each lookup and refuses from 0 on.
        var budget = lookupLimit - 1
        func spend() -> Bool {
            budget -= 1
            if budget <= 0 { budget = 0; return false }
            return true
        }
        var primaryLookups: [ForwardLookup] = []
        var secondaryWanted: [Int] = []
        var secondaryLookups: [Int: ForwardLookup] = [:]
        for index in names.indices {
            let lookup: ForwardLookup = spend() && index < firstRound.count ? .done(firstRound[index]) : .limited
            primaryLookups.append(lookup)
            if addresses(lookup, type: primary).isEmpty {
                if spend() { secondaryWanted.append(index) } else { secondaryLookups[index] = .limited }
            }
        }
        // Second batch: the other family, for names that had no address.
        let secondRound = lookup(secondaryWanted.map { DNSQuestion(name: names[$0], type: secondary) }, resolver)
        for (position, index) in secondaryWanted.enumerated() {
            secondaryLookups[index] = .done(position < secondRound.count ? secondRound[position] : .error("resolver returned no outcome"))
        }

        // Perl's notes for one lookup (then wrapped once more by the caller,
        // hence its "Error Error NXDOMAIN looking up x. A looking up x. A").
        func notes(_ lookup: ForwardLookup, name: String, type: DNSRecordType) -> [String] {
            switch lookup {
            case .limited:
                return ["Lookup limit reached"]
            case .done(let outcome):
                temporary = temporary || isTemporary(outcome)
                return ["Error \(errorString(outcome)) looking up \(name) \(type)"]
            }
        }

        var matches: [String] = []
        for (index, name) in names.enumerated() {
            let dotted = name + "."
            var found = addresses(primaryLookups[index], type: primary)
            let primaryNotes = notes(primaryLookups[index], name: dotted, type: primary)
            var secondaryNotes: [String] = []
            if found.isEmpty, let lookup = secondaryLookups[index] {
                found = addresses(lookup, type: secondary)
                secondaryNotes = notes(lookup, name: dotted, type: secondary)
            }
            // Perl's IPv4 branch also asks that `errorstring` be other than
            // "unknown error or no error": always so with Net::DNS 1.x.
            if found.isEmpty {
                let (notesA, notesAAAA) = client.isIPv6 ? (secondaryNotes, primaryNotes) : (primaryNotes, secondaryNotes)
                errors += notesA.map { "Error \($0) looking up \(dotted) A" }
                errors += notesAAAA.map { "Error \($0) looking up \(dotted) AAAA" }
            }
            for address in found where address == client.bytes { matches.append(name) }
        }

        let property = AuthResultsProperty(type: "smtp", name: "remote-ip", value: ip)
        if !matches.isEmpty {
            let entry = AuthResultsEntry(method: "iprev", result: "pass", parts: [
                .property(property), .comment(AuthResultsComment(matches.joined(separator: ","))),
            ])
            return (entry, matches)
        }
        let entry = AuthResultsEntry(method: "iprev", result: temporary ? "temperror" : "fail", parts: [
            .property(property), .comment(AuthResultsComment(errors.joined(separator: ","))),
        ])
        return (entry, [])
    }

    /// A batch, not sent when empty (no round trip to the DNS helper).
    static func lookup(_ questions: [DNSQuestion], _ resolver: any DNSResolver) -> [DNSOutcome] {
        questions.isEmpty ? [] : resolver.lookup(questions)
    }

    /// The addresses of the asked family in an answer.
    static func addresses(_ lookup: ForwardLookup, type: DNSRecordType) -> [[UInt8]] {
        guard case .done(let outcome) = lookup else { return [] }
        return outcome.records.compactMap { record in
            switch record {
            case .a(let bytes) where type == .a: return bytes
            case .aaaa(let bytes) where type == .aaaa: return bytes
            default: return nil
            }
        }
    }

    /// Net::DNS's `errorstring` after a query: the reply's RCODE (NOERROR
    /// for an answer too, and for a name without records of the type),
    /// SERVFAIL, or "query timed out" when no reply came.
    static func errorString(_ outcome: DNSOutcome) -> String {
        switch outcome {
        case .answer: return "NOERROR"
        case .nodata: return "NOERROR"
        case .nxdomain: return "NXDOMAIN"
        case .servfail: return "SERVFAIL"
        case .timeout: return "query timed out"
        case .error(let text): return text
        }
    }

    /// The failures that leave the check undecided rather than failed.
    static func isTemporary(_ outcome: DNSOutcome) -> Bool {
        switch outcome {
        case .servfail, .timeout: return true
        default: return false
        }
    }
}
