#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock seconds for the `%{t}` macro. The C library's `time()` is
/// one `clock_gettime` (allowed under the worker's seccomp filter), and
/// keeps Foundation out of MailAuth.
enum SPFClock {
    static func now() -> Int {
        Int(time(nil))
    }
}
