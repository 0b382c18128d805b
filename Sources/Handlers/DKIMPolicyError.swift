import MailAuth

/// Why the signing policies could not be evaluated: what makes Mail::DKIM
/// die inside the Perl handler's end-of-message step, and the single
/// `dkim=` entry the handler then writes instead of any policy entry.
enum DKIMPolicyError: Error, Equatable, CustomStringConvertible {
    /// "DNS error: query timed out": `dkim=temperror (dns timeout)`.
    case dnsTimeout
    /// "DNS error: SERVFAIL": `dkim=temperror (dns servfail)`.
    case dnsServfail
    /// "policy syntax error", "no domain to fetch policy for", an
    /// unusable domain name: `dkim=permerror (syntax or domain error)`.
    case syntax(String)
    /// Any other resolver failure: a bare `dkim=temperror`, and the error
    /// counts as a handler error (the Perl handler asks for a tempfail).
    case dns(String)

    init?(_ outcome: DNSOutcome) {
        switch outcome {
        case .answer, .nxdomain, .nodata: return nil
        case .servfail: self = .dnsServfail
        case .timeout: self = .dnsTimeout
        case .error(let text): self = .dns(text)
        }
    }

    var entry: AuthResultsEntry {
        switch self {
        case .dnsTimeout:
            return AuthResultsEntry(method: "dkim", result: "temperror", comment: AuthResultsComment("dns timeout"))
        case .dnsServfail:
            return AuthResultsEntry(method: "dkim", result: "temperror", comment: AuthResultsComment("dns servfail"))
        case .syntax:
            return AuthResultsEntry(method: "dkim", result: "permerror", comment: AuthResultsComment("syntax or domain error"))
        case .dns:
            return AuthResultsEntry(method: "dkim", result: "temperror")
        }
    }

    /// Whether the Perl handler treats it as unexpected (tempfail on error).
    var isUnexpected: Bool {
        if case .dns = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .dnsTimeout: return "signing policy lookup: DNS error: query timed out"
        case .dnsServfail: return "signing policy lookup: DNS error: SERVFAIL"
        case .syntax(let text): return "signing policy: \(text)"
        case .dns(let text): return "signing policy lookup: DNS error: \(text)"
        }
    }
}
