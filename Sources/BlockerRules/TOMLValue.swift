/// One value of a Blocker rule file: the scalar types of TOML that Perl's
/// `authentication_milter_blocker` and its hand-written files use. Arrays,
/// inline tables and dates are refused by `TOMLParser` with their position.
public enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)

    /// The value as Perl's numeric context reads it (`$item->{'percent'}`
    /// compared with `rand(100)`): numbers as they are, a string by its
    /// leading number ("50" is 50, "abc" is 0), true 1, false 0.
    public var perlNumber: Double {
        switch self {
        case .integer(let value): return Double(value)
        case .float(let value): return value
        case .boolean(let value): return value ? 1 : 0
        case .string(let text): return Self.leadingNumber(text)
        }
    }

    /// The value as Perl's string context reads it.
    public var perlString: String {
        switch self {
        case .string(let text): return text
        case .integer(let value): return String(value)
        case .float(let value): return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .boolean(let value): return value ? "1" : ""
        }
    }

    /// Perl's numification of a string: optional white space and sign,
    /// digits, an optional fraction; anything after is ignored.
    static func leadingNumber(_ text: String) -> Double {
        var scalars = Substring(text).unicodeScalars.drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
        var literal = ""
        if let sign = scalars.first, sign == "+" || sign == "-" {
            literal.unicodeScalars.append(sign)
            scalars = scalars.dropFirst()
        }
        var sawDigit = false
        var sawPoint = false
        for scalar in scalars {
            if scalar >= "0" && scalar <= "9" {
                sawDigit = true
            } else if scalar == "." && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            literal.unicodeScalars.append(scalar)
        }
        guard sawDigit else { return 0 }
        if literal.hasSuffix(".") { literal.removeLast() }
        return Double(literal) ?? 0
    }
}
