import Config
import MailAuth

/// The DMARC handler's report suppression lists (Perl's keys):
///
/// - `report_suppression_list` (3.20210308): a DNS list of Organizational
///   Domains whose reports are not stored: `<org domain>.<zone>` A listed →
///   no report row for the message.
/// - `report_suppression_email_list` (3.20241011): a DNS list of report
///   addresses, SpamAssassin HBL style: each `mailto:` address of `rua` is
///   lower-cased, its `+tag` dropped (`dmarc+x@example.com` →
///   `dmarc@example.com`), hashed with SHA-1 and looked up as
///   `<40 hex digits>.<zone>` A; a listed address is taken out of the row's
///   `rua`, and a row left with no `mailto:` address is not stored.
///
/// Lookups go through the message's resolver (the worker's DNS helper);
/// at most `maximumAddressLookups` addresses of one `rua` are looked up.
struct DMARCReportSuppression: Sendable, Equatable {
    var domainZone: String?
    var emailZone: String?

    static let maximumAddressLookups = 16

    init(domainZone: String?, emailZone: String?) {
        self.domainZone = domainZone?.lowercased()
        self.emailZone = emailZone?.lowercased()
    }

    init(config: ConfigNode) throws(ConfigurationError) {
        let domain = try config.nonEmptyString("report_suppression_list")
        let email = try config.nonEmptyString("report_suppression_email_list")
        for (key, zone) in [("report_suppression_list", domain), ("report_suppression_email_list", email)] {
            if let zone, !DMARCPolicyRBLLookup.isToken(zone) {
                throw (config.child(key) ?? config).error("expected a DNS zone, got \"\(zone)\"")
            }
        }
        self.init(domainZone: domain, emailZone: email)
    }

    /// Whether the Organizational Domain's reports are suppressed.
    func suppresses(organizationalDomain domain: String, resolver: any DNSResolver) -> Bool {
        guard let domainZone, !domain.isEmpty else { return false }
        return DNSListAnswer.firstAddress(at: domain + "." + domainZone, resolver) != nil
    }

    /// `rua` without the suppressed `mailto:` entries (the others as
    /// published, in order, joined with `,`); nil when no `mailto:` entry
    /// is left, i.e. nothing could be sent.
    func filteredRUA(_ rua: String, resolver: any DNSResolver) -> String? {
        var kept: [String] = []
        var looked = 0
        for entry in rua.split(separator: ",") {
            guard let emailZone, let uri = DMARCReportURI(entry: entry), uri.scheme == "mailto",
                  looked < Self.maximumAddressLookups else {
                kept.append(String(entry))
                continue
            }
            looked += 1
            let name = Self.hashedAddress(uri.uri) + "." + emailZone
            if DNSListAnswer.firstAddress(at: name, resolver) == nil { kept.append(String(entry)) }
        }
        let remaining = kept.joined(separator: ",")
        guard kept.contains(where: { DMARCReportURI(entry: $0)?.scheme == "mailto" }) else { return nil }
        return remaining
    }

    /// The list's name for a `mailto:` URI: the address after `mailto:`
    /// (any `?` query dropped), lower-cased, the `+tag` of the local part
    /// removed, as 40 lowercase hex digits of its SHA-1.
    static func hashedAddress(_ uri: String) -> String {
        var address = uri.drop { $0 != ":" }.dropFirst()
        if let query = address.firstIndex(of: "?") { address = address[..<query] }
        var lowered = address.lowercased()
        if let at = lowered.lastIndex(of: "@"), let plus = lowered[..<at].firstIndex(of: "+") {
            lowered.removeSubrange(plus..<at)
        }
        let digest = CryptoDigest.digest(.sha1, Array(lowered.utf8)) ?? []
        let digits = Array("0123456789abcdef")
        return String(digest.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0f)]] })
    }
}
