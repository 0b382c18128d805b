/// The character rules the Perl module Mail::AuthenticationResults applies to
/// keys, values and comments. authentication_milter builds every part through
/// the module's `safe_set_value`, so the same clean-up happens here before a
/// value is stored, and `stringify` decides quoting when it is rendered.
///
/// All checks work on Unicode scalars, never on Swift `Character`s, because
/// Perl sees `"\r\n"` as two characters and a grapheme view would hide that.
enum AuthResultsText {
    /// Perl's `\s` on the byte strings the milter handles: ASCII whitespace
    /// only (space, tab, LF, CR, form feed, vertical tab).
    static func isPerlSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}": return true
        default: return false
        }
    }

    /// `s/^\s+//; s/\s+$//` without touching anything inside.
    static func trimmed(_ scalars: [Unicode.Scalar]) -> String {
        guard let first = scalars.firstIndex(where: { !isPerlSpace($0) }),
              let last = scalars.lastIndex(where: { !isPerlSpace($0) })
        else { return "" }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[first...last])
        return String(view)
    }

    /// The module's `safe_set_value` for results, property values and the
    /// authserv-id: characters that would end or confuse the token
    /// (tab, LF, CR, parentheses, backslash, double quote, semicolon) become
    /// spaces, then the ends are trimmed. What is left can always be written
    /// as a token or a plain quoted-string.
    ///
    /// Beyond Perl, every other control character (C0, DEL, C1) becomes a
    /// space too: RFC 5322 allows none in a quoted-string, and Perl let an
    /// ESC or NUL from a HELO or From: domain through. A space rather than
    /// nothing, so `bank\u{7}.example` cannot pass for `bank.example`, and
    /// the value gets quoted, which shows it was not a plain token.
    static func safeValue(_ raw: String) -> String {
        // The usual case, in one pass over the bytes: nothing to replace
        // and nothing to trim.
        isClean(raw, parenthesesAllowed: false) ? raw : cleanedValue(raw)
    }

    /// `safeValue` the long way, for any text.
    static func cleanedValue(_ raw: String) -> String {
        let cleaned: [Unicode.Scalar] = raw.unicodeScalars.map { scalar in
            switch scalar {
            case "(", ")", "\\", "\"", ";": return " "
            default: return ControlCharacters.isControl(scalar) ? " " : scalar
            }
        }
        return trimmed(cleaned)
    }

    /// The module's comment `safe_set_value`: line breaks and tabs become
    /// spaces; parentheses are kept when they nest properly (so
    /// `foo(bar)` renders as `(foo(bar))`), and otherwise every parenthesis
    /// becomes a space, because one stray `)` would end the comment early.
    /// Other control characters become spaces as in `safeValue` (RFC 5322
    /// ctext has no room for them either).
    static func safeComment(_ raw: String) -> String {
        isClean(raw, parenthesesAllowed: true) ? raw : cleanedComment(raw)
    }

    /// `safeComment` the long way, for any text.
    static func cleanedComment(_ raw: String) -> String {
        var scalars: [Unicode.Scalar] = raw.unicodeScalars.map { scalar in
            ControlCharacters.isControl(scalar) ? " " : scalar
        }
        var depth = 0
        var balanced = true
        for scalar in scalars {
            if scalar == "(" { depth += 1 }
            if scalar == ")" { depth -= 1 }
            if depth < 0 { balanced = false }
        }
        if depth != 0 { balanced = false }
        if !balanced {
            scalars = scalars.map { $0 == "(" || $0 == ")" ? " " : $0 }
        }
        return trimmed(scalars)
    }

    /// Whether `safeValue` (or, with `parenthesesAllowed`, `safeComment`)
    /// would return `raw` unchanged: no control character (C1 ones are
    /// 0xC2 0x80...0x9F in UTF-8), no Perl space at either end, and none of
    /// `( ) \ " ;` for a value, or only properly nested parentheses for a
    /// comment. Looked at byte by byte; anything else takes the full path.
    static func isClean(_ raw: String, parenthesesAllowed: Bool) -> Bool {
        var depth = 0
        var previous: UInt8 = 0
        var first = true
        for byte in raw.utf8 {
            switch byte {
            case 0..<0x20, 0x7F:
                return false
            case UInt8(ascii: " "):
                if first { return false }
            case UInt8(ascii: "("):
                guard parenthesesAllowed else { return false }
                depth += 1
            case UInt8(ascii: ")"):
                guard parenthesesAllowed, depth > 0 else { return false }
                depth -= 1
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: ";"):
                if !parenthesesAllowed { return false }
            case 0x80...0x9F:
                if previous == 0xC2 { return false }
            default:
                break
            }
            previous = byte
            first = false
        }
        return depth == 0 && previous != UInt8(ascii: " ")
    }

    /// The module's `safe_set_value` for a version: digits only, `1` when
    /// nothing numeric is left.
    static func safeVersion(_ raw: String) -> String {
        var digits = String.UnicodeScalarView()
        digits.append(contentsOf: raw.unicodeScalars.filter { ("0"..."9").contains($0) })
        return digits.isEmpty ? "1" : String(digits)
    }

    /// The module's `stringify`: wrap in double quotes when the text holds
    /// whitespace, a parenthesis, `;` or `=`. Nothing is escaped inside,
    /// and `@`, `/`, `:` and the other RFC 2045 tspecials are left bare,
    /// exactly as the Perl program writes them.
    static func stringify(_ text: String) -> String {
        // Every character looked for is ASCII, and no byte of a multi-byte
        // UTF-8 sequence is: the bytes tell as the scalars would, faster
        // (issue 12).
        let needsQuotes = text.utf8.contains { byte in
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0B, 0x0C,
                 UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ";"), UInt8(ascii: "="):
                true
            default:
                false
            }
        }
        return needsQuotes ? "\"" + text + "\"" : text
    }

    /// Perl truthiness of a string: only `""` and `"0"` are false. The module
    /// tests keys, values and versions this way before writing them.
    static func isPerlTrue(_ text: String) -> Bool {
        !(text.isEmpty || text == "0")
    }

    /// Perl's `length` on the byte strings the milter handles.
    static func byteLength(_ text: String) -> Int {
        text.utf8.count
    }
}
