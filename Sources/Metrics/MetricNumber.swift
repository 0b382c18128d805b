/// Numbers as the text format writes them: integers without a fraction,
/// seconds from whole microseconds exactly (no binary rounding noise).
public enum MetricNumber {
    public static func seconds(microseconds: UInt64) -> String {
        let whole = microseconds / 1_000_000
        var fraction = microseconds % 1_000_000
        guard fraction != 0 else { return String(whole) }
        var digits = 6
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        let text = String(fraction)
        return String(whole) + "." + String(repeating: "0", count: digits - text.count) + text
    }
}
