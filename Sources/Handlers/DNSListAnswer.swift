import MailAuth

/// How the Perl handlers read a DNS list's answer (`rbl_check_domain` in
/// Handler.pm, which `rbl_check_ip` calls): an A query, and the first A
/// record's address is the answer. NXDOMAIN, no data and lookup errors all
/// mean "not listed".
enum DNSListAnswer {
    /// The first IPv4 address of `outcome`, dotted; nil when there is none.
    static func firstAddress(_ outcome: DNSOutcome) -> String? {
        for record in outcome.records {
            if case .a(let bytes) = record, bytes.count == 4 { return DNSAddressText.formatIPv4(bytes) }
        }
        return nil
    }

    /// `name` asked as an A question, the first address of the answer.
    static func firstAddress(at name: String, _ resolver: any DNSResolver) -> String? {
        firstAddress(resolver.lookup(name: name, type: .a))
    }
}
