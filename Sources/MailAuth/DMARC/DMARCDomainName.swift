/// The From-domain check Mail::DMARC applies before anything else
/// (`is_valid_domain`, a failure the Perl handler reports as
/// `dmarc=permerror (from header invalid)`): every label letters, digits
/// and inner hyphens, 1 to 63 bytes; and the last label, or the last two,
/// a public suffix (so `localhost`, `example.invalid` and address
/// literals are refused).
enum DMARCDomainName {
    static func validated(_ raw: String, publicSuffixList: PublicSuffixList) -> String? {
        guard let name = PublicSuffixDomain.normalized(raw) else { return nil }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard (1...63).contains(label.utf8.count),
                  label.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d }),
                  label.utf8.first != 0x2d, label.utf8.last != 0x2d else { return nil }
        }
        guard let last = labels.last else { return nil }
        if publicSuffixList.isPublicSuffix(String(last)) { return name }
        if labels.count >= 2, publicSuffixList.isPublicSuffix(labels.suffix(2).joined(separator: ".")) { return name }
        return nil
    }

    /// A domain from an SPF or DKIM result, in the From domain's form.
    static func normalized(_ raw: String) -> String {
        PublicSuffixDomain.normalized(raw) ?? DNSName.normalized(raw)
    }
}
