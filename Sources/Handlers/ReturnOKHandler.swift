import Shared
import MailAuth

/// ReturnOK: checks that the envelope sender's and the From header's
/// domains can receive mail (MX, else A/AAAA), writing `x-return-mx`.
/// Results as the Perl handler: pass (MX found), warn (only A/AAAA), fail,
/// none (no domain). The org-domain recheck needs the DMARC handler's
/// public suffix list and comes with it.
public final class ReturnOKHandler: Handler {
    public static let name = "ReturnOK"
    public static let defaultConfigJSON = "{}"
    public static let helpText = """
        ReturnOK Module

        Check that return addresses have valid MX records.

        CONFIGURATION
        No configuration options exist for this handler.
        """

    private var checked: Set<String> = []

    public init(config: ConfigNode) throws(ConfigurationError) {}

    public func envelopeFrom(_ session: MailSession, address: String) throws {
        checked = []
        let text = address == "<>" ? "" : address
        let addresses = EmailAddressParser.addresses(in: text)
        if addresses.isEmpty {
            check(session, domain: "", type: "smtp")
        }
        for found in addresses {
            check(session, domain: EmailAddressParser.domain(of: found), type: "smtp")
        }
    }

    public func header(_ session: MailSession, name: String, value: String) throws {
        guard name == "From" else { return }
        let addresses = EmailAddressParser.addresses(in: value)
        if addresses.isEmpty { check(session, domain: "", type: "header") }
        for found in addresses {
            check(session, domain: EmailAddressParser.domain(of: found), type: "header")
        }
    }

    public func abort(_ session: MailSession) { checked = [] }

    func check(_ session: MailSession, domain rawDomain: String, type: String) {
        let domain = rawDomain.lowercased()
        guard checked.insert("\(domain):\(type)").inserted else { return }
        guard !domain.isEmpty else {
            session.addAuthResult(AuthResultsEntry(method: "x-return-mx", result: "none"))
            return
        }
        var children: [AuthResultsEntry.Part] = [.property(AuthResultsProperty(type: type, name: "domain", value: domain))]
        // RFC 8616: asked in A-labels.
        let queryName = DomainNameIDNA.queryName(domain)
        let outcomes = session.resolver.lookup([
            DNSQuestion(name: queryName, type: .mx),
            DNSQuestion(name: queryName, type: .a),
            DNSQuestion(name: queryName, type: .aaaa),
        ])
        let mx = Self.values(outcomes[0], type: .mx)
        if let error = mx.error { children.append(.property(AuthResultsProperty(type: "policy", name: "mx_error", value: error))) }
        if !mx.values.isEmpty {
            children.append(.comment(AuthResultsComment("MX Records found: " + mx.values.joined(separator: ","))))
            session.addAuthResult(AuthResultsEntry(method: "x-return-mx", result: "pass", parts: children))
            return
        }
        let a = Self.values(outcomes[1], type: .a)
        if let error = a.error { children.append(.property(AuthResultsProperty(type: "policy", name: "a_error", value: error))) }
        let aaaa = Self.values(outcomes[2], type: .aaaa)
        if let error = aaaa.error { children.append(.property(AuthResultsProperty(type: "policy", name: "aaaa_error", value: error))) }
        if !a.values.isEmpty || !aaaa.values.isEmpty {
            if !a.values.isEmpty { children.append(.comment(AuthResultsComment("A Records found: " + a.values.joined(separator: ",")))) }
            if !aaaa.values.isEmpty { children.append(.comment(AuthResultsComment("AAAA Records found: " + aaaa.values.joined(separator: ",")))) }
            session.addAuthResult(AuthResultsEntry(method: "x-return-mx", result: "warn", parts: children))
            return
        }
        session.addAuthResult(AuthResultsEntry(method: "x-return-mx", result: "fail", parts: children))
    }

    /// Values of one answer, and the error word Net::DNS would report
    /// (NXDOMAIN, SERVFAIL, query timed out); NODATA is no error.
    static func values(_ outcome: DNSOutcome, type: DNSRecordType) -> (values: [String], error: String?) {
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
