import MailAuth

/// The results the Perl ARC handler copies from a trusted chain into our
/// own Authentication-Results (its `inherit_trusted_*_results`, renamed
/// `x-arc-*` since authentication_milter PR #48 so that downstream readers,
/// who may trust other sealers, do not take them for our own checks):
///
///     x-arc-spf=pass smtp.mailfrom=list.example x-arc-instance=1
///         x-arc-domain=forwarder.example (Trusted from aar.1.forwarder.example)
///
/// For a passing chain, each ARC-Authentication-Results of a trusted
/// instance (`ARCHandler.trustedAuthenticationResults`: newest first up to
/// the first untrusted sealer), oldest instance first: every `spf`, `dkim`
/// and `dmarc` entry whose result is `pass` (names and results compared
/// without regard to case), when the SPF, DKIM and DMARC handler
/// respectively is loaded, copied with its properties and comments in
/// place, renamed, then `x-arc-instance`, `x-arc-domain` (the instance's
/// sealing domain) and the comment `Trusted from aar.<i>.<domain>`. An
/// entry that already has an `x-arc-domain` (copied by an earlier hop) is
/// left out, and an AAR that does not parse gives nothing, as in Perl.
enum ARCTrustedResultEntries {
    /// AAR method → the method we write, in the order Perl copies them.
    static let renamed: [(method: String, copy: String)] = [("spf", "x-arc-spf"), ("dkim", "x-arc-dkim"), ("dmarc", "x-arc-dmarc")]

    /// At most this many copied entries per message: a trusted sealer's AAR
    /// is still text from outside, and each copy lengthens our header.
    static let maximumEntries = 50

    /// `trusted`: the trusted records with their sealing domains, any
    /// order; `methods`: the AAR methods whose handler is loaded.
    static func entries(_ trusted: [(record: ARCAuthenticationResultsRecord, domain: String)],
                        methods: Set<String>) -> [AuthResultsEntry] {
        let instances = trusted.sorted { $0.record.instance < $1.record.instance }
            .map { (instance: $0.record.instance, domain: $0.domain, entries: AuthResultsReader.entries($0.record.results) ?? []) }
        var copies: [AuthResultsEntry] = []
        for (method, copy) in renamed where methods.contains(method) {
            for instance in instances {
                for entry in instance.entries where entry.method.lowercased() == method && entry.result.lowercased() == "pass" {
                    guard !entry.properties.contains(where: { $0.key.lowercased() == "x-arc-domain" }) else { continue }
                    guard copies.count < maximumEntries else { return copies }
                    var copied = entry
                    copied.method = copy
                    copied.append(AuthResultsProperty(key: "x-arc-instance", value: String(instance.instance)))
                    copied.append(AuthResultsProperty(key: "x-arc-domain", value: instance.domain))
                    copied.append(AuthResultsComment("Trusted from aar.\(instance.instance).\(instance.domain)"))
                    copies.append(copied)
                }
            }
        }
        return copies
    }
}

extension ARCHandler: PeerAwareHandler {
    /// Which of SPF, DKIM and DMARC are loaded: Perl copies a trusted AAR's
    /// results of a kind only when its handler is (`is_handler_loaded`).
    public func attach(peers: HandlerPeers) {
        var methods: Set<String> = []
        if peers.contains(SPFHandler.self) { methods.insert("spf") }
        if peers.contains(DKIMHandler.self) { methods.insert("dkim") }
        if peers.contains(DMARCHandler.self) { methods.insert("dmarc") }
        trustedResultMethods = methods
    }

    /// This message's `x-arc-*` entries (none unless the chain passed).
    func trustedResultEntries(in session: MailSession) -> [AuthResultsEntry] {
        guard let verification = verification(in: session), verification.status == .pass else { return [] }
        let trusted = trustedAuthenticationResults(in: session).map { record in
            (record: record, domain: verification.sealDomain(instance: record.instance) ?? "")
        }
        return ARCTrustedResultEntries.entries(trusted, methods: trustedResultMethods)
    }
}
