/// The domain-name rules SPF adds on top of DNS: what a `domain-spec` must
/// end in (RFC 7208 section 7.1), what an expanded target may be before it
/// is looked up (sections 4.3 and 7.3), and what a `check_host()` domain
/// must look like to be checked at all (section 4.3).
enum SPFDomainName {
    /// RFC 7208 section 7.1: a domain-spec ends in a macro-expand or in
    /// "." toplabel ["."]. Checked on the text as written, never after
    /// expansion (the suite's `invalid-hello-macro` case).
    static func validateDomainSpec(_ spec: SPFMacroString, in term: @autoclosure () -> String) throws(SPFSyntaxError) {
        if spec.endsWithMacroExpand { return }
        guard case .literal(let tail)? = spec.items.last else {
            throw SPFSyntaxError(.missingDomainSpec, "Missing required domain-spec in '\(term())'")
        }
        var end = Substring(tail)
        if end.hasSuffix(".") { end = end.dropLast() }
        guard let dot = end.lastIndex(of: "."), isValidToplabel(end[end.index(after: dot)...]) else {
            throw SPFSyntaxError(.invalidTopLabel, "Invalid top label in domain-spec '\(spec.text)' in '\(term())'")
        }
    }

    /// `toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *(
    /// alphanum / "-" ) alphanum )`: letters, digits and inner dashes, not
    /// all digits unless a dash is present (so `xn--zckzah` passes and
    /// `123`, `-com`, `com:8080` do not).
    static func isValidToplabel(_ label: Substring) -> Bool {
        let bytes = Array(label.utf8)
        guard let first = bytes.first, let last = bytes.last else { return false }
        var hasAlpha = false, hasDash = false
        for byte in bytes {
            if SPFText.isAlpha(byte) {
                hasAlpha = true
            } else if byte == UInt8(ascii: "-") {
                hasDash = true
            } else if !SPFText.isDigit(byte) {
                return false
            }
        }
        if first == UInt8(ascii: "-") || last == UInt8(ascii: "-") { return false }
        return hasAlpha || hasDash
    }

    /// Section 7.3: an expansion longer than 253 characters loses labels
    /// from the left until it fits.
    static func truncated(_ name: String) -> String {
        var bytes = Substring(name)
        while bytes.utf8.count > 253, let dot = bytes.firstIndex(of: ".") {
            bytes = bytes[bytes.index(after: dot)...]
        }
        if bytes.utf8.count > 253 { return String(bytes.suffix(253)) }
        return String(bytes)
    }

    /// The name to ask DNS for, or nil when no query can be composed from
    /// it (empty, an empty label, a label over 63 bytes, over 253 bytes):
    /// such a target is treated as non-existent (sections 4.3 and 4.8).
    /// One trailing dot is dropped; case is kept (DNS ignores it). A name
    /// with a non-ASCII byte is no query name either: targets come from
    /// A-label domains, so only a UTF-8 local part (`%{l}`, `%{s}`) puts
    /// one there, and RFC 8616 section 4 says such a term matches nothing.
    static func lookupName(_ name: String) -> String? {
        guard !DomainNameIDNA.hasNonASCII(name) else { return nil }
        var text = Substring(name)
        if text.hasSuffix(".") { text = text.dropLast() }
        guard !text.isEmpty, text.utf8.count <= 253 else { return nil }
        var labelLength = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard labelLength > 0 else { return nil }
                labelLength = 0
            } else {
                labelLength += 1
                guard labelLength <= 63 else { return nil }
            }
        }
        guard labelLength > 0 else { return nil }
        return String(text)
    }

    /// Section 4.3: `check_host()` gives "none" at once for a domain that is
    /// malformed or not multi-label; a domain literal (`[192.0.2.1]`) or a
    /// bare host name (`OEMCOMPUTER`) is not checked.
    static func isCheckable(_ domain: String) -> Bool {
        guard let name = lookupName(domain), let dot = name.lastIndex(of: ".") else { return false }
        return isValidToplabel(name[name.index(after: dot)...])
    }
}
