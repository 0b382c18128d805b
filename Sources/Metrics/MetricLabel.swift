/// Label values as the Perl program writes them.
public enum MetricLabel {
    /// What `clean` makes of an empty value. A worker sends it for a label
    /// Perl gives as '' (present, `-none-`), since an empty value in a
    /// delta means the label is absent.
    public static let none = "-none-"

    /// Perl's `clean_label`: lower case, every byte outside `[a-z0-9]`
    /// becomes `_`, an empty value becomes `-none-`. Applied by the master
    /// to every value a worker sends, so no quote, backslash or control
    /// character of a hostile header reaches the text format.
    public static func clean(_ text: String) -> String {
        if text.isEmpty || text == none { return none }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): bytes.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes.append(byte + 32)
            default: bytes.append(UInt8(ascii: "_"))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The text format's escaping of a label value (backslash, double
    /// quote, line feed), as Prometheus::Tiny writes it; for values that
    /// are not cleaned (the version label).
    public static func escape(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
