/// Percentiles and medians of benchmark figures.
public enum Statistics {
    /// The value at fraction `p` (0...1) of `sorted` (ascending): the
    /// element at rank floor((n-1)·p), 0 for no values.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, max(0, Int(Double(sorted.count - 1) * p)))]
    }

    /// The middle value (the mean of the two middle ones for an even
    /// count), nil for no values.
    public static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
