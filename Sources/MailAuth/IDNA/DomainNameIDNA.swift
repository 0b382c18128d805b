/// IDNA ToASCII for names taken from mail (RFC 8616: every DNS name looked
/// up or compared must be in A-labels; RFC 5890/5891 for the labels). The
/// one place a name from a MAIL FROM, HELO, From field, DKIM `d=`/`s=` or
/// SPF target becomes a query name.
///
/// Mapping, without UTS 46's tables: Unicode lower-casing, and the three
/// full stops IDNA treats as dots (U+3002, U+FF0E, U+FF61) as ".". A
/// non-ASCII label must then be letters, marks, decimal digits and inner
/// hyphens (no controls, spaces, symbols, punctuation, format characters
/// such as ZWJ, private-use or unassigned code points), must not begin
/// with a combining mark nor have "--" in its third and fourth places
/// (RFC 5891 section 4.2.3.1), and is written `xn--` + Punycode. ASCII
/// labels are kept as they are, lower-cased: DNS names carry `_spf` and
/// `_domainkey` labels, and A-labels pass through. Not checked: NFC (no
/// tables here; a decomposed label simply encodes to another A-label that
/// will not be found) and the bidi and contextual rules.
public enum DomainNameIDNA {
    /// Longest input looked at, in bytes (a 253-byte name in 4-byte
    /// scalars); anything longer is refused before any per-label work.
    public static let maximumInputBytes = 1_024

    /// The name in A-labels (lower-case, one trailing dot kept), or nil
    /// when a label is empty (but a final dot), over 63 bytes once
    /// encoded, not a valid U-label, or the name is over 253 bytes.
    public static func toASCII(_ name: String) -> String? {
        guard name.utf8.count <= maximumInputBytes else { return nil }
        if name.utf8.allSatisfy({ $0 < 0x80 }) {
            // Already lower case (the usual d= and From domain): no copy.
            let hasUpper = name.utf8.contains { $0 >= 0x41 && $0 <= 0x5a }
            let lowered = hasUpper ? String(decoding: name.utf8.map { $0 >= 0x41 && $0 <= 0x5a ? $0 | 0x20 : $0 }, as: UTF8.self) : name
            return lengthIsValid(lowered) ? lowered : nil
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: name.lowercased().unicodeScalars.map {
            isIdeographicFullStop($0) ? "." : $0
        })
        var absolute = false
        if text.hasSuffix(".") && text.count > 1 {
            absolute = true
            text.removeLast()
        }
        var labels: [String] = []
        for label in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard let encoded = aLabel(label) else { return nil }
            labels.append(encoded)
        }
        let joined = labels.joined(separator: ".") + (absolute ? "." : "")
        return lengthIsValid(joined) ? joined : nil
    }

    /// The name to ask DNS for: its A-label form when it holds U-labels
    /// and converts, else the name unchanged (an ASCII name, or one that
    /// is not a valid IDN and will simply not be found).
    public static func queryName(_ name: String) -> String {
        guard hasNonASCII(name) else { return name }
        return toASCII(name) ?? name
    }

    /// Whether a name holds a byte that is not ASCII (a U-label).
    public static func hasNonASCII(_ name: String) -> Bool {
        name.utf8.contains { $0 >= 0x80 }
    }

    static func aLabel(_ label: Substring) -> String? {
        guard !label.isEmpty else { return nil }
        let scalars = Array(label.unicodeScalars)
        if scalars.allSatisfy(\.isASCII) {
            return label.utf8.count <= 63 ? String(label) : nil
        }
        guard scalars.count <= 63, isValidULabel(scalars),
              let encoded = PublicSuffixPunycode.aLabel(String(label)), encoded.utf8.count <= 63 else { return nil }
        return encoded
    }

    static func isValidULabel(_ scalars: [Unicode.Scalar]) -> Bool {
        guard let first = scalars.first, let last = scalars.last else { return false }
        if first == "-" || last == "-" { return false }
        if scalars.count >= 4 && scalars[2] == "-" && scalars[3] == "-" { return false }
        if isMark(first) { return false }
        for scalar in scalars {
            if scalar.isASCII {
                let v = scalar.value
                let ldh = (v >= 0x61 && v <= 0x7a) || (v >= 0x30 && v <= 0x39) || v == 0x2d
                if !ldh { return false }
                continue
            }
            switch scalar.properties.generalCategory {
            case .lowercaseLetter, .uppercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber:
                continue
            default:
                return false
            }
        }
        return true
    }

    private static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    private static func isIdeographicFullStop(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value == 0x3002 || scalar.value == 0xFF0E || scalar.value == 0xFF61
    }

    /// At most 253 bytes without the final dot, no label over 63.
    /// At most 253 bytes without a final dot, no label over 63 bytes
    /// (the names here are ASCII: what `toASCII` made). One pass over the
    /// bytes, no label copies (issue 12).
    static func lengthIsValid(_ name: String) -> Bool {
        var bytes = 0
        var label = 0
        var last: UInt8 = 0
        for byte in name.utf8 {
            bytes += 1
            last = byte
            if byte == UInt8(ascii: ".") {
                label = 0
            } else {
                label += 1
                if label > 63 { return false }
            }
        }
        if last == UInt8(ascii: ".") { bytes -= 1 }
        return bytes <= 253
    }
}
