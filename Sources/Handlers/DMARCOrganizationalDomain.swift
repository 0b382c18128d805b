import MailAuth

extension DMARCHandler {
    /// The Organizational Domain of `domain` as the DMARC handler's
    /// configuration finds it, for the handlers that ask DMARC for it
    /// (Perl's `$dmarc_handler->get_dmarc_object()->get_organizational_domain`,
    /// used by ReturnOK): the RFC 9989 DNS tree walk when `discovery` asks
    /// for it (Mail::DMARC's newest releases walk the tree by default), else
    /// the public suffix list (RFC 7489 section 3.2). The walk's `_dmarc`
    /// lookups go through `resolver`, so they share the session's cache.
    public func organizationalDomain(of domain: String, resolver: any DNSResolver) -> String {
        guard options.discovery == .treeWalk else { return publicSuffixList.organizationalDomain(of: domain) }
        return DMARCEvaluator(resolver: resolver, publicSuffixList: publicSuffixList, options: options)
            .treeWalkOrganizationalDomain(of: domain)
    }
}
