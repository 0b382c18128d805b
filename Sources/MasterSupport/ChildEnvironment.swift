/// The environment a child process starts with: nothing of the master's
/// but what it needs, plus two settings of our own.
///
/// - `SWIFT_BACKTRACE=enable=no`: the backtracer dies under seccomp and
///   would hide the real cause of a crash.
/// - `GLIBC_TUNABLES=glibc.malloc.tcache_count=64`: glibc keeps up to 64
///   freed blocks of each small size (7 by default) in the thread's cache,
///   so the many short-lived objects of a message are recycled there
///   instead of going through the arena's bins (issue 12: 3% less CPU a
///   message with the full handler set; measured figures in README).
///   The cache holds at most 64 blocks of each of its 64 sizes (up to
///   1,032 bytes): a bound of about 2 MB, about 0.2 MB in practice (worker
///   PSS in the benchmark). An operator's own `GLIBC_TUNABLES` replaces
///   ours, whole.
public enum ChildEnvironment {
    /// The master's variables a child inherits.
    public static let inherited = ["PATH", "TZ", "LANG"]
    public static let defaultTunables = "glibc.malloc.tcache_count=64"

    /// `lookup` reads the master's environment (`getenv`).
    public static func make(_ lookup: (String) -> String?) -> [String] {
        var environment = ["SWIFT_BACKTRACE=enable=no"]
        for key in inherited {
            if let value = lookup(key) { environment.append("\(key)=\(value)") }
        }
        environment.append("GLIBC_TUNABLES=" + (lookup("GLIBC_TUNABLES") ?? defaultTunables))
        return environment
    }
}
