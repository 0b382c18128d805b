/// The `Received-SPF` trace field (RFC 7208 section 9.1) exactly as
/// Mail::SPF's `received_spf_header` writes it (the Perl handler prepends
/// that text):
///
///     pass (example.com: Sender is authorized to use 'a@example.com' in
///     'mfrom' identity (mechanism 'mx' matched)) receiver=mx.example.net;
///     identity=mailfrom; envelope-from="a@example.com"; helo=mail.example.com;
///     client-ip=192.0.2.1
///
/// on one line, without the field name. Values that are not a dot-atom
/// are quoted with `\` before `"` and `\`. A quoted-string cannot hold a
/// control character (RFC 5322 qtext, RFC 7208 section 9.1), and the
/// identity and HELO come from the SMTP client, so control characters in a
/// value are written as `\xNN` first, the form Mail::SPF already uses for
/// the comment (Mail::SPF itself quoted them raw: a LF in `sendmail -f`
/// started a new header field).
extension SPFResult {
    public static let receivedSPFFieldName = "Received-SPF"

    /// The field value; `receiver` is this host's name ("unknown" when
    /// empty, as Mail::SPF writes).
    public func receivedSPFValue(receiver: String) -> String {
        var out = code.rawValue
        out += " ("
        out += localExplanation
        out += ") receiver="
        out += SPFResult.quotedUnlessDotAtom(receiver.isEmpty ? "unknown" : receiver)
        out += "; identity="
        out += request.scope.receivedSPFName
        out += "; "
        out += request.scope.receivedSPFIdentityKey
        out += "="
        out += SPFResult.quotedUnlessDotAtom(request.identity)
        if request.scope != .helo, let helo = request.helo {
            out += "; helo="
            out += SPFResult.quotedUnlessDotAtom(helo)
        }
        // An IPv6 address is no dot-atom: quoted, as Mail::SPF does.
        out += "; client-ip="
        out += SPFResult.quotedUnlessDotAtom(request.ip.unmapped.description)
        return out
    }

    /// RFC 5322 dot-atom, or a quoted string (control characters as `\xNN`,
    /// whose backslash is then quoted like any other).
    static func quotedUnlessDotAtom(_ value: String) -> String {
        if isDotAtom(value) { return value }
        var out = "\""
        for character in ControlCharacters.escaped(value) {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }

    /// The specials RFC 5322 allows in an atom: `!#$%&'*+-/=?^_`{|}~`
    /// (a switch, not a set built per call; issue 12).
    static func isAtomSpecial(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"),
             UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
             UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    static func isDotAtom(_ value: String) -> Bool {
        var previousDot = true
        for byte in value.utf8 {
            if byte == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
            } else if SPFText.isAlpha(byte) || SPFText.isDigit(byte) || isAtomSpecial(byte) {
                previousDot = false
            } else {
                return false
            }
        }
        return !previousDot
    }
}
