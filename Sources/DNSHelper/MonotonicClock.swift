#if canImport(Glibc)
import Glibc
#endif

/// Microseconds of CLOCK_MONOTONIC: every deadline in the helper (the wall
/// clock may jump; a lookup's timeout must not).
enum MonotonicClock {
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }
}
