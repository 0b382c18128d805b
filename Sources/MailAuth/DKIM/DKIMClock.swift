#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where DKIM gets "now" from (`x=` expiry when verifying, `t=` when
/// signing). Injectable so tests are deterministic.
public struct DKIMClock: Sendable {
    public let now: @Sendable () -> Int64

    public init(now: @escaping @Sendable () -> Int64) {
        self.now = now
    }

    /// Seconds since the epoch from the system clock (`clock_gettime`,
    /// which the worker's seccomp filter allows).
    public static let system = DKIMClock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec)
    }

    /// A clock stuck at `seconds`.
    public static func fixed(_ seconds: Int64) -> DKIMClock {
        DKIMClock { seconds }
    }
}
