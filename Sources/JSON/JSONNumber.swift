/// A JSON number. The literal text is kept so a value read from a file is
/// written back exactly as the operator wrote it (`-h default_config`,
/// handing the configuration to children), and so very large integers are
/// not rounded through `Double`.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number as JSON text; always valid JSON number syntax.
    public let literal: String
    public let doubleValue: Double
    /// The exact integer when the number is whole and fits in `Int`.
    public let integerValue: Int?

    public init(_ value: Int) {
        literal = String(value)
        doubleValue = Double(value)
        integerValue = value
    }

    /// Non-finite values have no JSON spelling; they become 0 rather than
    /// producing text no parser (ours or Perl's) would read back.
    public init(_ value: Double) {
        let finite = value.isFinite ? value : 0
        if finite == finite.rounded(), abs(finite) < 9_007_199_254_740_992 {
            let whole = Int(finite)
            literal = String(whole)
            integerValue = whole
        } else {
            literal = JSONNumber.spell(finite)
            integerValue = nil
        }
        doubleValue = finite
    }

    /// Accepts exactly the JSON number grammar
    /// (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
    public init?(literal text: String) {
        guard JSONNumber.isValidLiteral(Array(text.utf8)), let double = Double(text), double.isFinite else {
            return nil
        }
        literal = text
        doubleValue = double
        if let exact = Int(text) {
            integerValue = exact
        } else if double == double.rounded(), abs(double) < 9_007_199_254_740_992 {
            integerValue = Int(double)
        } else {
            integerValue = nil
        }
    }

    public var description: String { literal }

    /// Numbers are equal by value, not spelling: `1`, `1.0` and `1e0` are
    /// the same number to Perl and to us.
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if let l = lhs.integerValue, let r = rhs.integerValue { return l == r }
        return lhs.doubleValue == rhs.doubleValue
    }

    /// Hashes the `Double` even for integers: numbers equal under `==`
    /// always have equal doubles, whichever way they were compared.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(doubleValue)
    }

    static func isValidLiteral(_ bytes: [UInt8]) -> Bool {
        var i = 0
        let n = bytes.count
        func digit(_ at: Int) -> Bool { at < n && bytes[at] >= 0x30 && bytes[at] <= 0x39 }
        if i < n && bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard digit(i) else { return false }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else { while digit(i) { i += 1 } }
        if i < n && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digit(i) else { return false }
            while digit(i) { i += 1 }
        }
        if i < n && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            if i < n && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard digit(i) else { return false }
            while digit(i) { i += 1 }
        }
        return i == n
    }

    /// Swift's shortest round-trip spelling of a finite `Double` ("0.1",
    /// "1e+20", "1.5e-07") is already valid JSON number syntax.
    private static func spell(_ value: Double) -> String {
        "\(value)"
    }
}
