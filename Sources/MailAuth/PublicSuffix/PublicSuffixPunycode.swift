/// RFC 3492 Punycode, encoding only: the public suffix list is written
/// in Unicode (U-labels) while mail carries A-labels (`xn--...`), so every
/// non-ASCII label is turned into its `xn--` form once, when the list or a
/// name is read, and everything is compared in ASCII.
///
/// No IDNA mapping beyond lowercasing is applied (the list is already in
/// lowercase NFC). Labels longer than `maximumScalars` are not encoded:
/// no valid A-label comes from one, and the work stays bounded.
public enum PublicSuffixPunycode {
    public static let maximumScalars = 255

    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700
    private static let initialBias = 72, initialN = 128

    /// The A-label (`xn--` + Punycode) of a label that holds non-ASCII
    /// characters; the label unchanged when it is all ASCII; nil when it
    /// cannot be encoded (too long, or an overflow).
    public static func aLabel(_ label: String) -> String? {
        let scalars = Array(label.unicodeScalars)
        if scalars.allSatisfy({ $0.isASCII }) { return label }
        guard scalars.count <= maximumScalars, let encoded = encode(scalars) else { return nil }
        return "xn--" + encoded
    }

    /// Punycode of the scalars (without the `xn--` prefix).
    static func encode(_ input: [Unicode.Scalar]) -> String? {
        var output: [UInt8] = input.filter(\.isASCII).map { UInt8($0.value) }
        let basicCount = output.count
        var handled = basicCount
        if basicCount > 0 { output.append(UInt8(ascii: "-")) }
        var n = initialN, delta = 0, bias = initialBias
        let values = input.map { Int($0.value) }
        while handled < values.count {
            guard let m = values.filter({ $0 >= n }).min() else { return nil }
            let (step, overflow) = (m - n).multipliedReportingOverflow(by: handled + 1)
            guard !overflow, delta <= Int(Int32.max) - step else { return nil }
            delta += step
            n = m
            for c in values {
                if c < n { delta += 1; guard delta <= Int(Int32.max) else { return nil } }
                if c == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, handled + 1, handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func digit(_ d: Int) -> UInt8 {
        d < 26 ? UInt8(ascii: "a") + UInt8(d) : UInt8(ascii: "0") + UInt8(d - 26)
    }

    private static func adapt(_ delta: Int, _ count: Int, _ first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / count
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
