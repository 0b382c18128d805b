import MailAuth

/// The `x-return-mx` entry the Perl ReturnOK handler (newest release,
/// `_check_domain`) writes for one domain, byte for byte:
///
///     x-return-mx=pass smtp.domain=example.com policy.is_org=yes (MX Records found: mx.example.com)
///     x-return-mx=warn header.domain=a.example.com policy.org_domain=example.com policy.is_org=no
///         policy.mx_error=NOERROR policy.aaaa_error=NOERROR (A Records found: 192.0.2.10)
///     x-return-mx=warn smtp.domain=sub.example.net policy.org_domain=example.net policy.is_org=no
///         policy.mx_error=NXDOMAIN policy.a_error=NXDOMAIN policy.aaaa_error=NXDOMAIN
///         (Org Domain MX Records found: mx.example.net)
///     x-return-mx=fail smtp.domain=example.org policy.is_org=yes policy.mx_error=NOERROR
///         policy.a_error=NOERROR policy.aaaa_error=NOERROR
///
/// Properties and comments in Perl's order: `<type>.domain`; when the DMARC
/// handler is loaded, `policy.org_domain` (only when the domain is not its
/// own Organizational Domain) and `policy.is_org`; then each lookup's error
/// (`policy.mx_error`, `a_error`, `aaaa_error`, and `org_mx_error`,
/// `org_a_error`, `org_aaaa_error` for the Organizational Domain) as it
/// happens; then the comment naming what was found. The domain is checked
/// for MX (pass), then A and AAAA (warn); a domain that is not its own
/// Organizational Domain and has neither is checked again at the
/// Organizational Domain (MX, then A and AAAA: warn); else fail.
enum ReturnOKEntry {
    static func build(domain: String, type: String, organizationalDomain: String?,
                      resolver: any DNSResolver) -> AuthResultsEntry {
        var parts: [AuthResultsEntry.Part] = [.property(AuthResultsProperty(type: type, name: "domain", value: domain))]
        // nil: DMARC is not loaded, the Organizational Domain is not looked at.
        var recheckAt: String?
        if let organizationalDomain {
            let isOrganizational = organizationalDomain == domain
            if !isOrganizational {
                parts.append(.property(AuthResultsProperty(type: "policy", name: "org_domain", value: organizationalDomain)))
                recheckAt = organizationalDomain
            }
            parts.append(.property(AuthResultsProperty(type: "policy", name: "is_org", value: isOrganizational ? "yes" : "no")))
        }

        func entry(_ result: String) -> AuthResultsEntry {
            AuthResultsEntry(method: "x-return-mx", result: result, parts: parts)
        }
        func error(_ name: String, _ found: (values: [String], error: String?)) {
            if let error = found.error { parts.append(.property(AuthResultsProperty(type: "policy", name: name, value: error))) }
        }
        func comment(_ text: String, _ values: [String]) {
            parts.append(.comment(AuthResultsComment(text + values.joined(separator: ","))))
        }

        /// One name's findings as Perl writes them: its error properties
        /// (`<prefix>mx_error` ...) and found-records comments; the result
        /// when it can receive mail, nil when it cannot.
        func receives(_ found: (mx: Found, a: Found, aaaa: Found), properties prefix: String, comments label: String,
                      withMX: String) -> String? {
            error(prefix + "mx_error", found.mx)
            if !found.mx.values.isEmpty {
                comment(label + "MX Records found: ", found.mx.values)
                return withMX
            }
            error(prefix + "a_error", found.a)
            error(prefix + "aaaa_error", found.aaaa)
            guard !found.a.values.isEmpty || !found.aaaa.values.isEmpty else { return nil }
            if !found.a.values.isEmpty { comment(label + "A Records found: ", found.a.values) }
            if !found.aaaa.values.isEmpty { comment(label + "AAAA Records found: ", found.aaaa.values) }
            return "warn"
        }

        if let result = receives(lookups(domain, resolver), properties: "", comments: "", withMX: "pass") {
            return entry(result)
        }
        // The Organizational Domain is asked only now, as Perl does: most
        // domains stop above. Whatever it has, the domain itself only warns.
        if let organizationalDomain = recheckAt,
           let result = receives(lookups(organizationalDomain, resolver), properties: "org_", comments: "Org Domain ", withMX: "warn") {
            return entry(result)
        }
        return entry("fail")
    }

    typealias Found = (values: [String], error: String?)

    /// MX, A and AAAA of one name, in one batch (Perl asks A and AAAA only
    /// when there is no MX; asking all three at once costs one round trip).
    static func lookups(_ domain: String, _ resolver: any DNSResolver) -> (mx: Found, a: Found, aaaa: Found) {
        // RFC 8616: asked in A-labels.
        let name = DomainNameIDNA.queryName(domain)
        let outcomes = resolver.lookup([
            DNSQuestion(name: name, type: .mx),
            DNSQuestion(name: name, type: .a),
            DNSQuestion(name: name, type: .aaaa),
        ])
        func outcome(_ index: Int) -> DNSOutcome {
            index < outcomes.count ? outcomes[index] : .error("resolver returned no outcome")
        }
        return (values(outcome(0), type: .mx), values(outcome(1), type: .a), values(outcome(2), type: .aaaa))
    }

    /// Values of one answer, and the error word Net::DNS's `errorstring`
    /// gives when `query` returns nothing (NXDOMAIN, SERVFAIL, query timed
    /// out; NOERROR for a name without records of the type). An answer whose
    /// records are all of other types (a CNAME only) is no error, as `query`
    /// then returns the packet.
    static func values(_ outcome: DNSOutcome, type: DNSRecordType) -> Found {
        switch outcome {
        case .answer(let records, _):
            return (records.compactMap { $0.presentation(of: type) }, nil)
        case .nodata:
            return ([], "NOERROR")
        case .nxdomain:
            return ([], "NXDOMAIN")
        case .servfail:
            return ([], "SERVFAIL")
        case .timeout:
            return ([], "query timed out")
        case .error(let text):
            return ([], text)
        }
    }
}
