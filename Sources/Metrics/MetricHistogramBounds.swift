/// The upper bounds of the latency histograms (`callback_duration_seconds`),
/// in microseconds: from half a millisecond (a header callback) to 30 s
/// (a content scan near its timeout), dense enough between 10 ms and 1 s
/// for a p99 alert. The `+Inf` bucket is implicit.
public enum MetricHistogramBounds {
    public static let microseconds: [UInt64] = [
        500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
        1_000_000, 2_500_000, 5_000_000, 10_000_000, 30_000_000,
    ]

    /// Buckets a worker sends per series: the bounds and `+Inf`.
    public static var bucketCount: Int { microseconds.count + 1 }

    /// The bucket an observation falls in (the first bound it does not
    /// exceed; the last index for `+Inf`).
    public static func bucket(ofMicroseconds value: UInt64) -> Int {
        var index = 0
        while index < microseconds.count && value > microseconds[index] { index += 1 }
        return index
    }

    /// A bound as the `le` label writes it, in seconds ("0.0005", "1", "30").
    public static func leLabel(_ index: Int) -> String {
        guard index < microseconds.count else { return "+Inf" }
        return MetricNumber.seconds(microseconds: microseconds[index])
    }
}
