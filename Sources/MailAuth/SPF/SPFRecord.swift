/// A parsed `v=spf1` record (RFC 7208 sections 4.5, 4.6 and 12): the
/// mechanisms in order, `redirect=` and `exp=` (each at most once), and
/// any other modifiers, which are checked for syntax and then ignored.
///
/// Parsing takes the whole record before anything is evaluated, so a
/// syntax error anywhere is a permerror even behind a matching mechanism
/// (section 4.6, the suite's `detect-errors-anywhere`). Terms are
/// separated by spaces only: a tab, CR or NUL is part of a term and makes
/// it invalid. Work is linear in the record's length.
public struct SPFRecord: Hashable, Sendable {
    public struct Modifier: Hashable, Sendable {
        /// Lowercased.
        public var name: String
        public var value: SPFMacroString
    }

    public let mechanisms: [SPFMechanism]
    public let redirect: SPFMacroString?
    public let explanation: SPFMacroString?
    public let otherModifiers: [Modifier]

    /// Whether the text starts with the version section `v=spf1` (any
    /// case) followed by a space or the end (section 4.5).
    public static func isVersion1(_ bytes: some Collection<UInt8>) -> Bool {
        let tag = Array("v=spf1".utf8)
        var iterator = bytes.makeIterator()
        for expected in tag {
            guard let byte = iterator.next(), SPFText.lowercased(byte) == expected else { return false }
        }
        guard let next = iterator.next() else { return true }
        return next == UInt8(ascii: " ")
    }

    public init(_ text: String) throws(SPFSyntaxError) {
        try self.init(parsing: Array(text.utf8))
    }

    public init(parsing bytes: [UInt8]) throws(SPFSyntaxError) {
        guard SPFRecord.isVersion1(bytes) else {
            throw SPFSyntaxError(.notSPF1, "Not a 'v=spf1' record: '\(SPFText.sanitized(bytes))'")
        }
        var mechanisms: [SPFMechanism] = []
        var redirect: SPFMacroString? = nil
        var explanation: SPFMacroString? = nil
        var others: [Modifier] = []
        for term in bytes.dropFirst(6).split(separator: UInt8(ascii: " ")) {
            // The term's text is for error messages only: built on demand.
            var termText: String { SPFText.sanitized(term) }
            if let (name, value) = SPFRecord.modifier(term) {
                switch name {
                case "redirect", "exp":
                    let spec = try SPFRecord.termDomainSpec(
                        value, required: true, term: termText,
                        junk: SPFSyntaxError(.junk, "Junk encountered in modifier '\(termText)'"))
                    if name == "redirect" {
                        guard redirect == nil else { throw SPFSyntaxError(.duplicateModifier, "Duplicate global modifier 'redirect' encountered") }
                        redirect = spec
                    } else {
                        guard explanation == nil else { throw SPFSyntaxError(.duplicateModifier, "Duplicate global modifier 'exp' encountered") }
                        explanation = spec
                    }
                default:
                    others.append(Modifier(name: name, value: try SPFMacroString(parsing: value, kind: .modifierValue)))
                }
            } else {
                mechanisms.append(try SPFRecord.mechanism(term))
            }
        }
        self.mechanisms = mechanisms
        self.redirect = redirect
        self.explanation = explanation
        self.otherModifiers = others
    }

    /// `name "=" macro-string` with `name = ALPHA *( ALPHA / DIGIT / "-" /
    /// "_" / "." )` directly before the first "=" (section 4.6.1); else nil
    /// and the term must be a mechanism.
    static func modifier(_ term: ArraySlice<UInt8>) -> (String, ArraySlice<UInt8>)? {
        guard let equals = term.firstIndex(of: UInt8(ascii: "=")), equals > term.startIndex else { return nil }
        let name = term[..<equals]
        guard let first = name.first, SPFText.isAlpha(first) else { return nil }
        for byte in name where !(SPFText.isAlpha(byte) || SPFText.isDigit(byte) || byte == UInt8(ascii: "-")
                                 || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")) {
            return nil
        }
        return (SPFText.ascii(name.map(SPFText.lowercased)), term[term.index(after: equals)...])
    }

    static func mechanism(_ term: ArraySlice<UInt8>) throws(SPFSyntaxError) -> SPFMechanism {
        var text: String { SPFText.sanitized(term) }
        var rest = term
        var qualifier = SPFQualifier.pass
        if let first = rest.first, let q = SPFQualifier(rawValue: Character(Unicode.Scalar(first))) {
            qualifier = q
            rest = rest.dropFirst()
        }
        let nameEnd = rest.firstIndex { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "/") } ?? rest.endIndex
        let name = SPFText.ascii(rest[..<nameEnd].map(SPFText.lowercased))
        let params = rest[nameEnd...]
        var junk: SPFSyntaxError { SPFSyntaxError(.junk, "Junk encountered in mechanism '\(text)'") }

        func domainSpec(_ bytes: ArraySlice<UInt8>, required: Bool = true) throws(SPFSyntaxError) -> SPFMacroString {
            try SPFRecord.termDomainSpec(bytes, required: required, term: text, junk: junk)
        }
        func argument() throws(SPFSyntaxError) -> ArraySlice<UInt8> {
            guard params.first == UInt8(ascii: ":") else {
                throw params.isEmpty ? SPFSyntaxError(.missingDomainSpec, "Missing required domain-spec in '\(text)'") : junk
            }
            return params.dropFirst()
        }

        let kind: SPFMechanism.Kind
        switch name {
        case "all":
            guard params.isEmpty else { throw junk }
            kind = .all
        case "include":
            kind = .include(try domainSpec(try argument()))
        case "exists":
            kind = .exists(try domainSpec(try argument()))
        case "a", "mx":
            var spec: SPFMacroString? = nil
            let split: (rest: ArraySlice<UInt8>, v4: Int, v6: Int)
            if params.first == UInt8(ascii: ":") {
                split = try dualCIDR(params.dropFirst(), text: text)
                spec = try domainSpec(split.rest, required: false)
            } else {
                split = try dualCIDR(params, text: text)
                guard split.rest.isEmpty else { throw junk }
            }
            kind = name == "a" ? .a(spec, ip4Prefix: split.v4, ip6Prefix: split.v6)
                               : .mx(spec, ip4Prefix: split.v4, ip6Prefix: split.v6)
        case "ptr":
            kind = .ptr(params.isEmpty ? nil : try domainSpec(try argument(), required: false))
        case "ip4", "ip6":
            let isV4 = name == "ip4"
            // Mail::SPF: "ip4" or "ip4:" alone has no address to parse.
            guard params.first == UInt8(ascii: ":"), params.count > 1 else {
                throw SPFSyntaxError(.missingAddress, "Missing required IPv\(isV4 ? 4 : 6) address in '\(text)'")
            }
            let value = params.dropFirst()
            let slash = value.firstIndex(of: UInt8(ascii: "/"))
            let addressBytes = value[..<(slash ?? value.endIndex)]
            let parsed = isV4 ? IPAddress.parseIPv4(addressBytes).map(IPAddress.init(v4:))
                              : IPAddress(SPFText.ascii(addressBytes))
            guard let address = parsed, address.isIPv4 == isV4 else {
                // Mail::SPF takes the longest address its pattern finds at
                // the start; what follows it is then junk. No address at
                // all is "missing".
                if isV4 && SPFRecord.startsWithIPv4Pattern(value) { throw junk }
                throw SPFSyntaxError(.missingAddress, "Missing required IPv\(isV4 ? 4 : 6) address in '\(text)'")
            }
            var length = address.bitWidth
            if let slash {
                length = try SPFRecord.prefixLength(value[value.index(after: slash)...], maximum: address.bitWidth,
                                                    term: text, junk: junk)
            }
            let network = IPNetwork(address: address, prefixLength: length)!
            kind = isV4 ? .ip4(network) : .ip6(network)
        default:
            throw SPFSyntaxError(.unknownMechanism, "Unknown mechanism type '\(SPFText.sanitized(rest[..<nameEnd]))' in 'v=spf1' record")
        }
        return SPFMechanism(qualifier: qualifier, kind: kind)
    }

    /// Splits `[ "/" ip4-cidr ] [ "//" ip6-cidr ]` off the end of `a`/`mx`
    /// parameters (section 5.3). Taken from the end because a domain-spec
    /// may itself hold "/" (`a:foo:bar/baz.example.com` is legal). A
    /// trailing "/digits" is always a prefix length, so a bad one is an
    /// error rather than part of the name.
    static func dualCIDR(_ params: ArraySlice<UInt8>, text: @autoclosure () -> String) throws(SPFSyntaxError) -> (rest: ArraySlice<UInt8>, v4: Int, v6: Int) {
        var rest = params
        var v4 = 32, v6 = 128
        func trailingNumber(_ bytes: ArraySlice<UInt8>) -> (slash: Int, digits: ArraySlice<UInt8>)? {
            guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return nil }
            let digits = bytes[(slash + 1)...]
            guard !digits.isEmpty, digits.allSatisfy(SPFText.isDigit) else { return nil }
            return (slash, digits)
        }
        func length(_ digits: ArraySlice<UInt8>, max: Int) throws(SPFSyntaxError) -> Int {
            guard let value = IPNetwork.prefixLength(bytes: digits), value <= max else {
                throw SPFSyntaxError(.invalidPrefixLength, "Invalid IPv\(max == 32 ? 4 : 6) prefix length encountered in '\(text())'")
            }
            return value
        }
        guard let last = trailingNumber(rest) else { return (rest, v4, v6) }
        if last.slash > rest.startIndex, rest[last.slash - 1] == UInt8(ascii: "/") {
            v6 = try length(last.digits, max: 128)
            rest = rest[..<(last.slash - 1)]
            if let previous = trailingNumber(rest) {
                guard previous.slash == rest.startIndex || rest[previous.slash - 1] != UInt8(ascii: "/") else {
                    throw SPFSyntaxError(.junk, "Junk encountered in mechanism '\(text())'")
                }
                v4 = try length(previous.digits, max: 32)
                rest = rest[..<previous.slash]
            }
        } else {
            v4 = try length(last.digits, max: 32)
            rest = rest[..<last.slash]
        }
        return (rest, v4, v6)
    }

    /// A term's domain-spec as Mail::SPF reads it: its term grammar matches
    /// a domain-spec at the start of the parameters, so where the text stops
    /// being one (a control character, a bad `%` expression, a name without
    /// a valid top label) it either found none ("Missing required
    /// domain-spec in '<term>'" for include, exists, redirect and exp) or
    /// left the rest over ("Junk encountered in mechanism|modifier
    /// '<term>'"; always junk for a, mx and ptr, whose domain-spec is
    /// optional). Errors Mail::SPF raises only when expanding (an unknown
    /// macro letter, `c`/`r`/`t` outside an explanation, zero parts) keep
    /// their own words.
    static func termDomainSpec(_ bytes: ArraySlice<UInt8>, required: Bool, term: String,
                               junk: SPFSyntaxError) throws(SPFSyntaxError) -> SPFMacroString {
        let missing = SPFSyntaxError(.missingDomainSpec, "Missing required domain-spec in '\(term)'")
        let nothing = required ? missing : junk
        guard !bytes.isEmpty else { throw nothing }
        let spec: SPFMacroString
        do {
            spec = try SPFMacroString(parsing: bytes, kind: .domainSpec)
        } catch {
            guard let position = error.position else { throw error }
            // A valid domain-spec before the bad spot: the rest is junk.
            let head = bytes.prefix(position)
            if !head.isEmpty, let valid = try? SPFMacroString(parsing: head, kind: .domainSpec),
               (try? SPFDomainName.validateDomainSpec(valid, in: term)) != nil {
                throw junk
            }
            throw nothing
        }
        do {
            try SPFDomainName.validateDomainSpec(spec, in: term)
        } catch {
            throw nothing
        }
        return spec
    }

    /// Whether Mail::SPF's IPv4 pattern (`qnum "." qnum "." qnum "." qnum`,
    /// qnum a decimal 0-255 without leading zeros) matches at the start:
    /// three exact qnums with their dots, then any digit (the last qnum may
    /// stop after one).
    static func startsWithIPv4Pattern(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        for _ in 0..<3 {
            let start = index
            while index < bytes.endIndex, SPFText.isDigit(bytes[index]), index - start < 4 { index += 1 }
            let digits = bytes[start..<index]
            guard !digits.isEmpty, digits.count <= 3, digits.count == 1 || digits.first != UInt8(ascii: "0"),
                  Int(SPFText.ascii(digits))! <= 255,
                  index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") else { return false }
            index += 1
        }
        return index < bytes.endIndex && SPFText.isDigit(bytes[index])
    }

    /// An `ip4`/`ip6` prefix length after its "/", as Mail::SPF reads it:
    /// digits, at most `maximum`, no leading zero ("Invalid IPv4 prefix
    /// length encountered in '<term>'"); no digits, or anything after
    /// them, is junk.
    static func prefixLength(_ bytes: ArraySlice<UInt8>, maximum: Int, term: String,
                             junk: SPFSyntaxError) throws(SPFSyntaxError) -> Int {
        let digits = bytes.prefix { SPFText.isDigit($0) }
        guard !digits.isEmpty else { throw junk }
        let value = digits.count > 3 ? Int.max : Int(SPFText.ascii(digits))!
        guard value <= maximum, digits.count == 1 || digits.first != UInt8(ascii: "0") else {
            throw SPFSyntaxError(.invalidPrefixLength, "Invalid IPv\(maximum == 32 ? 4 : 6) prefix length encountered in '\(term)'")
        }
        guard digits.count == bytes.count else { throw junk }
        return value
    }
}
