/// Control characters in text that came from mail, SMTP or DNS (a HELO
/// argument, a MAIL FROM given to `sendmail -f`, a From: header, a DKIM
/// tag, a TXT record). Such text ends up in the header fields the milter
/// writes, in its log and on the report commands' terminal; raw, a line
/// break there starts a new header field or log line and an escape
/// sequence drives the terminal. Every place that writes such text asks
/// this one type what a control character is and how to neutralise it.
public enum ControlCharacters {
    /// C0 (U+0000 to U+001F, which includes tab, LF, CR and NUL), DEL
    /// (U+007F) and C1 (U+0080 to U+009F: in UTF-8 these are two bytes, but
    /// terminals that take 8-bit controls still act on U+009B as CSI).
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value)
    }

    public static func contains(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }

    /// Every control character replaced by `replacement`, the rest kept.
    public static func replacing(in text: some StringProtocol, with replacement: Unicode.Scalar) -> String {
        var string = String(text)
        // Clean text (nearly all of it) is returned without a copy.
        if !string.withUTF8(Self.mayHoldControl) { return string }
        var out = String.UnicodeScalarView()
        for scalar in string.unicodeScalars {
            out.append(isControl(scalar) ? replacement : scalar)
        }
        return String(out)
    }

    /// Text for a log line or a terminal: each control character as `?`,
    /// so one message stays one line and carries no escape sequence.
    public static func printable(_ text: some StringProtocol) -> String {
        replacing(in: text, with: "?")
    }

    /// Text for a log line: tab, LF and CR as spaces (a message stays one
    /// readable line, as the child log always wrote a LF), every other
    /// control character as `?`, so no escape sequence reaches a terminal
    /// that shows the log and no NUL cuts a syslog message short.
    public static func loggable(_ text: some StringProtocol) -> String {
        var string = String(text)
        // Every log line passes here twice (in the child and again in the
        // master): a line with no byte that can start a control character
        // goes out as it is, without a per-scalar copy (issue 12).
        if !string.withUTF8(Self.mayHoldControl) { return string }
        var out = String.UnicodeScalarView()
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\t", "\n", "\r": out.append(" ")
            default: out.append(isControl(scalar) ? "?" : scalar)
            }
        }
        return String(out)
    }

    /// Whether `utf8` has a byte that can start a control character: C0,
    /// DEL, or 0xC2, the lead byte of C1 (and of U+00A0 to U+00BF, which
    /// the slow path then keeps).
    static func mayHoldControl(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in utf8 where byte < 0x20 || byte == 0x7f || byte == 0xc2 { return true }
        return false
    }

    /// Each control character as `\xNN`, one per UTF-8 byte (lowercase
    /// hex), the rest kept: the form Mail::SPF's `sanitize_string` gives,
    /// for values that must stay readable and distinguishable.
    public static func escaped(_ text: some StringProtocol) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            guard isControl(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            for byte in String(scalar).utf8 {
                out += "\\x" + String(byte >> 4, radix: 16) + String(byte & 0xf, radix: 16)
            }
        }
        return out
    }
}
