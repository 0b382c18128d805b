/// One mailbox of an address header field or SMTP path, as
/// `MailboxListParser` read it (RFC 5322 section 3.4): the parts are
/// unescaped, comments and folding are gone.
public struct MailboxAddress: Hashable, Sendable {
    /// The display name's words joined by one space (quoted strings
    /// unescaped, RFC 2047 encoded words left encoded); nil when the
    /// mailbox had none.
    public var displayName: String?
    /// The name of the group the mailbox was listed in, nil outside a group.
    public var group: String?
    /// The domains of an obsolete source route (`<@a.example,@b.example:
    /// user@c.example>`), in order; empty without one. Never used for
    /// checks: RFC 5322 section 4.4 says the route is to be ignored.
    public var route: [String]
    /// The local part, unescaped: `a b` for `"a b"@example.com`.
    public var localPart: String
    /// The domain as written without comments or folding: a dot-atom
    /// (`mail.example.com`) or a domain literal with its brackets
    /// (`[192.0.2.1]`). Case as written.
    public var domain: String

    public init(displayName: String? = nil, group: String? = nil, route: [String] = [], localPart: String, domain: String) {
        self.displayName = displayName
        self.group = group
        self.route = route
        self.localPart = localPart
        self.domain = domain
    }

    /// `local@domain` with the local part quoted only when it is not a
    /// dot-atom (Email::Address::XS's `address`, the form the Perl handlers
    /// check and write): `"a"@x` gives `a@x`, `"a b"@x` stays `"a b"@x`.
    public var addrSpec: String {
        MailboxAddress.quotedLocalPart(localPart) + "@" + domain
    }

    /// The local part as an RFC 5322 `local-part`: kept when it is dot-atom
    /// text (leading and trailing dots excepted), else a quoted string with
    /// `"`, `\`, NUL, tab, CR and LF escaped by a backslash.
    static func quotedLocalPart(_ text: String) -> String {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return "\"\"" }
        let edgeDot = bytes.first == UInt8(ascii: ".") || bytes.last == UInt8(ascii: ".")
        let plain = !edgeDot && bytes.allSatisfy { MailboxListParser.isAtext($0) || $0 == UInt8(ascii: ".") }
        if plain { return text }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(bytes.count + 2)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), 0, 9, 10, 13: out.append(UInt8(ascii: "\\"))
            default: break
            }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }
}
