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

        let own = lookups(domain, resolver)
        error("mx_error", own.mx)
        if !own.mx.values.isEmpty {
            comment("MX Records found: ", own.mx.values)
            return entry("pass")
        }
        error("a_error", own.a)
        error("aaaa_error", own.aaaa)
        if !own.a.values.isEmpty || !own.aaaa.values.isEmpty {
            if !own.a.values.isEmpty { comment("A Records found: ", own.a.values) }
            if !own.aaaa.values.isEmpty { comment("AAAA Records found: ", own.aaaa.values) }
            return entry("warn")
        }

        if let organizationalDomain = recheckAt {
            // Asked only now, as Perl does: most domains stop above.
            let org = lookups(organizationalDomain, resolver)
            error("org_mx_error", org.mx)
            if !org.mx.values.isEmpty {
                comment("Org Domain MX Records found: ", org.mx.values)
                return entry("warn")
            }
            error("org_a_error", org.a)
            error("org_aaaa_error", org.aaaa)
            if !org.a.values.isEmpty || !org.aaaa.values.isEmpty {
                if !org.a.values.isEmpty { comment("Org Domain A Records found: ", org.a.values) }
                if !org.aaaa.values.isEmpty { comment("Org Domain AAAA Records found: ", org.aaaa.values) }
                return entry("warn")
            }
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
