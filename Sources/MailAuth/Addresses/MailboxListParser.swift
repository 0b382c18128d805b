/// A strict parser for the value of an address header field (From, Sender,
/// Resent-*, ...) or an SMTP path, with the semantics of the Perl
/// Email::Address::XS module (Dovecot's parser) that the newest Perl
/// authentication_milter uses: RFC 5322 `address-list` (mailboxes and
/// groups), with the obsolete forms RFC 5322 section 4 says a receiver
/// must accept (CFWS around dots, `obs-local-part` mixing quoted strings
/// and atoms, `obs-phrase` with dots, source routes `<@a,@b:u@d>`, a
/// trailing comma), and RFC 6532's UTF-8 (every byte from 0x80 up counts
/// as `atext`).
///
/// Any syntax error refuses the whole field (`AddressListParseError`):
/// no address is guessed from the rest, so `a@b@example.net` names no
/// domain at all rather than `example.net`, and in
/// `"a <x@junk.com>"@victim.example` the angle address sits inside the
/// quoted local part: the domain is `victim.example`.
///
/// Work is linear in the input: one pass, except that a display name may
/// be read twice (once as a phrase, then as a local part when no angle
/// address follows); comments nest by counting, not by recursion. Input
/// over `maximumLength` bytes is refused before any work; at most
/// `keepingAtMost` mailboxes are kept (the rest are still checked and
/// counted), which bounds the memory a huge field can take.
public enum MailboxListParser {
    /// The largest milter packet this program reads (1 MiB + 64 KiB): no
    /// field a milter can deliver is refused for its length, and a caller
    /// with text from elsewhere is still bounded.
    public static let defaultMaximumLength = (1 << 20) + (64 << 10)

    public static func parse(_ text: String, keepingAtMost keep: Int = Int.max,
                             maximumLength: Int = defaultMaximumLength) -> Result<AddressList, AddressListParseError> {
        let length = text.utf8.count
        guard length <= maximumLength else { return .failure(.inputTooLong(length: length, limit: maximumLength)) }
        var scanner = Scanner(bytes: Array(text.utf8), keep: max(0, keep))
        do {
            try scanner.addressList()
        } catch {
            return .failure(error)
        }
        return .success(AddressList(mailboxes: scanner.kept, mailboxCount: scanner.count, groupNames: scanner.groupNames))
    }

    /// The one mailbox of an SMTP path or single-address field (`<a@b>`,
    /// `a@b`, `Name <a@b>`), or nil when it does not parse or lists no
    /// mailbox, several, or a group.
    public static func singleMailbox(_ text: String, maximumLength: Int = defaultMaximumLength) -> MailboxAddress? {
        guard case .success(let list) = parse(text, keepingAtMost: 2, maximumLength: maximumLength) else { return nil }
        return list.singleMailbox
    }

    /// RFC 5322 `atext`, plus every byte from 0x80 up (RFC 6532 UTF-8, and
    /// the raw 8-bit text Email::Address::XS accepts alike).
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "?"),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"),
             UInt8(ascii: "~"):
            return true
        default:
            return byte >= 0x80
        }
    }
}

/// The cursor over one field's bytes and what it collected.
private struct Scanner {
    typealias Failure = AddressListParseError

    let bytes: [UInt8]
    let keep: Int
    var index = 0
    var kept: [MailboxAddress] = []
    var count = 0
    var groupNames: [String] = []

    init(bytes: [UInt8], keep: Int) {
        self.bytes = bytes
        self.keep = keep
    }

    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    private var atEnd: Bool { index >= bytes.count }
    private func isByte(_ scalar: Unicode.Scalar) -> Bool {
        index < bytes.count && bytes[index] == UInt8(ascii: scalar)
    }

    /// An error for the byte at the cursor: `atEnd` when the input ran out.
    private func unexpected(orAtEnd atEnd: Failure) -> Failure {
        index < bytes.count ? .unexpectedCharacter(bytes[index], at: index) : atEnd
    }

    // MARK: Lists

    /// `address-list`: addresses separated by commas; empty (or only
    /// CFWS) is an empty list; one trailing comma is accepted. After a
    /// group's `;` the next address may follow without a comma.
    ///
    /// Every field Email::Address::XS accepts must parse here too: one it
    /// takes and we refused would be `dmarc=permerror` here where the Perl
    /// program evaluates (and may reject) the domains in it.
    mutating func addressList() throws(Failure) {
        try skipCFWS()
        while !atEnd {
            if isByte(",") { throw .emptyListElement(at: index) }
            let wasGroup = try address()
            if atEnd { break }
            if wasGroup && !isByte(",") { continue }
            guard isByte(",") else { throw .unexpectedCharacter(bytes[index], at: index) }
            index += 1
            try skipCFWS()
        }
    }

    /// `address = mailbox / group`: a phrase followed by `:` is a group,
    /// and so is a bare `:` (a group without a name, which
    /// Email::Address::XS accepts). Returns whether it was a group.
    private mutating func address() throws(Failure) -> Bool {
        let start = index
        let name = try phrase()
        if isByte(":") {
            try group(name: name ?? "", at: start)
            return true
        }
        index = start
        collect(try mailbox(group: nil))
        return false
    }

    /// `group = display-name ":" [mailbox-list / CFWS] ";" [CFWS]`; the
    /// end of the field also closes a group, as in Email::Address::XS.
    private mutating func group(name: String, at start: Int) throws(Failure) {
        index += 1
        try skipCFWS()
        groupNames.append(name)
        while true {
            guard !atEnd else { return }
            if isByte(";") {
                index += 1
                try skipCFWS()
                return
            }
            if isByte(",") { throw .emptyListElement(at: index) }
            collect(try mailbox(group: name))
            guard !atEnd else { return }
            if isByte(",") {
                index += 1
                try skipCFWS()
                if isByte(";") || isByte(",") { throw .emptyListElement(at: index) }
            } else if !isByte(";") {
                throw .unexpectedCharacter(bytes[index], at: index)
            }
        }
    }

    private mutating func collect(_ mailbox: MailboxAddress) {
        count += 1
        if kept.count < keep { kept.append(mailbox) }
    }

    // MARK: Mailboxes

    /// `mailbox = name-addr / addr-spec`: a phrase (possibly empty)
    /// followed by `<` is a name-addr; anything else is read again from
    /// the start as an addr-spec.
    private mutating func mailbox(group: String?) throws(Failure) -> MailboxAddress {
        let start = index
        let name = try phrase()
        if isByte("<") {
            var found = try angleAddress()
            found.displayName = name
            found.group = group
            return found
        }
        index = start
        let (local, domain) = try addrSpec()
        return MailboxAddress(group: group, localPart: local, domain: domain)
    }

    /// `angle-addr = "<" [obs-route] addr-spec ">"`; `<>` holds nothing.
    private mutating func angleAddress() throws(Failure) -> MailboxAddress {
        let open = index
        index += 1
        try skipCFWS()
        var route: [String] = []
        if isByte("@") {
            // obs-route = obs-domain-list ":" ; the domains, commas between.
            while isByte("@") {
                index += 1
                try skipCFWS()
                route.append(try domain())
                while isByte(",") {
                    index += 1
                    try skipCFWS()
                }
            }
            guard isByte(":") else { throw atEnd ? .unterminatedAngleAddress(at: open) : .invalidRoute(at: index) }
            index += 1
            try skipCFWS()
        }
        guard !atEnd else { throw .unterminatedAngleAddress(at: open) }
        if isByte(">") { throw .emptyAngleAddress(at: open) }
        let (local, domain) = try addrSpec()
        guard isByte(">") else { throw unexpected(orAtEnd: .unterminatedAngleAddress(at: open)) }
        index += 1
        try skipCFWS()
        return MailboxAddress(route: route, localPart: local, domain: domain)
    }

    /// `addr-spec = local-part "@" domain`.
    private mutating func addrSpec() throws(Failure) -> (String, String) {
        let local = try localPart()
        guard isByte("@") else {
            if atEnd || isByte(",") || isByte(";") || isByte(">") { throw .missingAt(at: index) }
            throw .unexpectedCharacter(bytes[index], at: index)
        }
        index += 1
        try skipCFWS()
        return (local, try domain())
    }

    /// `local-part = dot-atom / quoted-string / obs-local-part`: words
    /// (atoms or quoted strings) joined by single dots, CFWS allowed
    /// around each; the result is unescaped.
    private mutating func localPart() throws(Failure) -> String {
        var out: [UInt8] = []
        while true {
            if isByte("\"") {
                try quotedString(into: &out)
            } else if !atEnd && MailboxListParser.isAtext(bytes[index]) {
                atom(into: &out)
            } else if isByte(".") {
                throw .misplacedDot(at: index)
            } else if isByte("@") {
                throw .missingLocalPart(at: index)
            } else {
                throw unexpected(orAtEnd: .missingLocalPart(at: index))
            }
            try skipCFWS()
            guard isByte(".") else { return String(decoding: out, as: UTF8.self) }
            let dot = index
            out.append(UInt8(ascii: "."))
            index += 1
            try skipCFWS()
            guard isByte("\"") || (!atEnd && MailboxListParser.isAtext(bytes[index])) else { throw .misplacedDot(at: dot) }
        }
    }

    /// `domain = dot-atom / domain-literal / obs-domain`, CFWS allowed
    /// around the dots and dropped; a trailing dot is refused, as
    /// Email::Address::XS does.
    private mutating func domain() throws(Failure) -> String {
        if isByte("[") { return try domainLiteral() }
        guard !atEnd, MailboxListParser.isAtext(bytes[index]) else {
            if isByte(".") { throw .misplacedDot(at: index) }
            if atEnd || isByte(",") || isByte(";") || isByte(">") || isByte(":") { throw .missingDomain(at: index) }
            throw .unexpectedCharacter(bytes[index], at: index)
        }
        var out: [UInt8] = []
        while true {
            atom(into: &out)
            try skipCFWS()
            guard isByte(".") else { return String(decoding: out, as: UTF8.self) }
            let dot = index
            out.append(UInt8(ascii: "."))
            index += 1
            try skipCFWS()
            guard !atEnd, MailboxListParser.isAtext(bytes[index]) else { throw .misplacedDot(at: dot) }
        }
    }

    /// `domain-literal = "[" *([FWS] dtext / quoted-pair) [FWS] "]"`,
    /// kept with its brackets and backslashes, folding removed. Control
    /// characters (the obsolete `obs-dtext`) are refused: a literal is
    /// never a domain a check can use, and refusing keeps them out of any
    /// header that would quote the domain.
    private mutating func domainLiteral() throws(Failure) -> String {
        let open = index
        var out: [UInt8] = [UInt8(ascii: "[")]
        index += 1
        while !atEnd {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "]"):
                out.append(byte)
                index += 1
                try skipCFWS()
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "["):
                throw .forbiddenCharacter(byte, at: index)
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { throw .unterminatedDomainLiteral(at: open) }
                let escaped = bytes[index + 1]
                guard escaped >= 0x20, escaped != 0x7f else { throw .forbiddenCharacter(escaped, at: index + 1) }
                out += [byte, escaped]
                index += 2
                continue
            case Self.cr, Self.lf:
                try skipFolding()
                continue
            case Self.space, Self.tab:
                out.append(byte)
            default:
                guard byte >= 0x20, byte != 0x7f else { throw .forbiddenCharacter(byte, at: index) }
                out.append(byte)
            }
            index += 1
        }
        throw .unterminatedDomainLiteral(at: open)
    }

    // MARK: Words

    /// `phrase = 1*word / obs-phrase`: atoms, quoted strings and (after
    /// the first word) dots, with CFWS between; nil when there is no word.
    /// The words are joined by one space.
    private mutating func phrase() throws(Failure) -> String? {
        var out: [UInt8] = []
        var words = 0
        while !atEnd {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                if words > 0 { out.append(Self.space) }
                try quotedString(into: &out)
            } else if MailboxListParser.isAtext(byte) || (byte == UInt8(ascii: ".") && words > 0) {
                if words > 0 { out.append(Self.space) }
                while !atEnd, MailboxListParser.isAtext(bytes[index]) || bytes[index] == UInt8(ascii: ".") {
                    out.append(bytes[index])
                    index += 1
                }
            } else {
                break
            }
            words += 1
            try skipCFWS()
        }
        return words > 0 ? String(decoding: out, as: UTF8.self) : nil
    }

    /// One run of `atext`.
    private mutating func atom(into out: inout [UInt8]) {
        while !atEnd, MailboxListParser.isAtext(bytes[index]) {
            out.append(bytes[index])
            index += 1
        }
    }

    /// `quoted-string`, its content unescaped into `out`. Folding (CR/LF
    /// followed by a space or tab) is removed; other control characters
    /// are the obsolete `obs-qtext`, accepted as RFC 5322 section 4 asks,
    /// except NUL and a CR or LF that is not folding.
    private mutating func quotedString(into out: inout [UInt8]) throws(Failure) {
        let open = index
        index += 1
        while !atEnd {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                guard index + 1 < bytes.count else { throw .unterminatedQuotedString(at: open) }
                let escaped = bytes[index + 1]
                guard escaped != 0 else { throw .forbiddenCharacter(0, at: index + 1) }
                out.append(escaped)
                index += 2
                continue
            case 0:
                throw .forbiddenCharacter(0, at: index)
            case Self.cr, Self.lf:
                try skipFolding()
                continue
            default:
                out.append(byte)
            }
            index += 1
        }
        throw .unterminatedQuotedString(at: open)
    }

    /// A line break inside a quoted string or literal: CR LF, or a bare LF
    /// as some MTAs pass folded values to a milter, that must be followed
    /// by a space or tab (which stays).
    private mutating func skipFolding() throws(Failure) {
        let start = index
        if bytes[index] == Self.cr {
            index += 1
            guard isByte("\n") else { throw .forbiddenCharacter(Self.cr, at: start) }
        }
        index += 1
        guard isByte(" ") || isByte("\t") else { throw .forbiddenCharacter(bytes[start], at: start) }
    }

    // MARK: Comments and white space

    /// CFWS: spaces, tabs, line breaks and comments.
    private mutating func skipCFWS() throws(Failure) {
        while !atEnd {
            switch bytes[index] {
            case Self.space, Self.tab, Self.cr, Self.lf:
                index += 1
            case UInt8(ascii: "("):
                try skipComment()
            default:
                return
            }
        }
    }

    /// A comment, nested ones and quoted pairs included; counted, not
    /// recursed, so `((((...` costs its length and no stack.
    private mutating func skipComment() throws(Failure) {
        let open = index
        var depth = 0
        while !atEnd {
            switch bytes[index] {
            case UInt8(ascii: "("):
                depth += 1
            case UInt8(ascii: ")"):
                depth -= 1
                if depth == 0 {
                    index += 1
                    return
                }
            case UInt8(ascii: "\\"):
                index += 1
                guard !atEnd else { throw .unterminatedComment(at: open) }
                if bytes[index] == 0 { throw .forbiddenCharacter(0, at: index) }
            case 0:
                throw .forbiddenCharacter(0, at: index)
            default:
                break
            }
            index += 1
        }
        throw .unterminatedComment(at: open)
    }
}
