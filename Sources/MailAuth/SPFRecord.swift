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
            throw SPFSyntaxError("Not a 'v=spf1' record: '\(SPFText.sanitized(bytes))'")
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
                    guard !value.isEmpty else { throw SPFSyntaxError("Missing required domain-spec in '\(termText)'") }
                    let spec = try SPFMacroString(parsing: value, kind: .domainSpec)
                    try SPFDomainName.validateDomainSpec(spec, in: termText)
                    if name == "redirect" {
                        guard redirect == nil else { throw SPFSyntaxError("Duplicate global modifier 'redirect' encountered") }
                        redirect = spec
                    } else {
                        guard explanation == nil else { throw SPFSyntaxError("Duplicate global modifier 'exp' encountered") }
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
        var junk: SPFSyntaxError { SPFSyntaxError("Junk encountered in mechanism '\(text)'") }

        func domainSpec(_ bytes: ArraySlice<UInt8>) throws(SPFSyntaxError) -> SPFMacroString {
            guard !bytes.isEmpty else { throw SPFSyntaxError("Missing required domain-spec in '\(text)'") }
            let spec = try SPFMacroString(parsing: bytes, kind: .domainSpec)
            try SPFDomainName.validateDomainSpec(spec, in: text)
            return spec
        }
        func argument() throws(SPFSyntaxError) -> ArraySlice<UInt8> {
            guard params.first == UInt8(ascii: ":") else {
                throw params.isEmpty ? SPFSyntaxError("Missing required domain-spec in '\(text)'") : junk
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
                spec = try domainSpec(split.rest)
            } else {
                split = try dualCIDR(params, text: text)
                guard split.rest.isEmpty else { throw junk }
            }
            kind = name == "a" ? .a(spec, ip4Prefix: split.v4, ip6Prefix: split.v6)
                               : .mx(spec, ip4Prefix: split.v4, ip6Prefix: split.v6)
        case "ptr":
            kind = .ptr(params.isEmpty ? nil : try domainSpec(try argument()))
        case "ip4", "ip6":
            let value = try argument()
            let slash = value.firstIndex(of: UInt8(ascii: "/"))
            let addressBytes = value[..<(slash ?? value.endIndex)]
            let isV4 = name == "ip4"
            let parsed = isV4 ? IPAddress.parseIPv4(addressBytes).map(IPAddress.init(v4:))
                              : IPAddress(SPFText.ascii(addressBytes))
            guard let address = parsed, address.isIPv4 == isV4 else {
                throw SPFSyntaxError("Invalid IPv\(isV4 ? 4 : 6) network address in '\(text)'")
            }
            var length = address.bitWidth
            if let slash {
                guard let parsed = IPNetwork.prefixLength(bytes: value[value.index(after: slash)...]),
                      parsed <= address.bitWidth else {
                    throw SPFSyntaxError("Invalid IPv\(isV4 ? 4 : 6) prefix length in '\(text)'")
                }
                length = parsed
            }
            let network = IPNetwork(address: address, prefixLength: length)!
            kind = isV4 ? .ip4(network) : .ip6(network)
        default:
            throw SPFSyntaxError("Unknown mechanism type '\(SPFText.sanitized(rest[..<nameEnd]))' in 'v=spf1' record")
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
                throw SPFSyntaxError("Invalid IPv\(max == 32 ? 4 : 6) prefix length in '\(text())'")
            }
            return value
        }
        guard let last = trailingNumber(rest) else { return (rest, v4, v6) }
        if last.slash > rest.startIndex, rest[last.slash - 1] == UInt8(ascii: "/") {
            v6 = try length(last.digits, max: 128)
            rest = rest[..<(last.slash - 1)]
            if let previous = trailingNumber(rest) {
                guard previous.slash == rest.startIndex || rest[previous.slash - 1] != UInt8(ascii: "/") else {
                    throw SPFSyntaxError("Junk encountered in mechanism '\(text())'")
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
}
