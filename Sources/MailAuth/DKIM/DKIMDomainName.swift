/// Syntax checks for the names DKIM turns into DNS queries (`d=`, `s=`,
/// and the domain of `i=`).
///
/// RFC 6376 allows only letters, digits and hyphens in `d=` (the
/// sub-domain rule of RFC 5321); selectors follow the same rule. Real
/// selectors also use underscores, and DNS labels allow them, so both
/// accept `_`. Everything else is refused before any lookup: a `d=` such as
/// `legitimate.com(.attacker.com` must not be looked up as if it were a
/// domain (dkimpy's test.message.baddomain), and no byte that is not
/// ASCII, no space, backslash or parenthesis may reach a query name.
enum DKIMDomainName {
    /// Whether `text` is a dot-separated list of labels of letters,
    /// digits, `-` and `_`, each 1...63 bytes, at most 253 in all. A
    /// trailing dot is not accepted (DKIM names are written without one).
    static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        var labelLength = 0
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard labelLength > 0 else { return false }
                labelLength = 0
                continue
            }
            guard isLabelByte(byte) else { return false }
            labelLength += 1
            guard labelLength <= 63 else { return false }
        }
        return labelLength > 0
    }

    private static func isLabelByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    /// Whether `sub` is `parent` or lies below it, ignoring ASCII case
    /// (RFC 6376 section 3.5, `i=`: "the same as, or a subdomain of").
    static func isSameOrSubdomain(_ sub: String, of parent: String) -> Bool {
        // Compared in A-labels: either may be written in U-labels.
        let sub = DNSName.normalized(DomainNameIDNA.queryName(sub))
        let parent = DNSName.normalized(DomainNameIDNA.queryName(parent))
        return sub == parent || sub.hasSuffix("." + parent)
    }
}
