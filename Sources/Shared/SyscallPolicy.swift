/// The seccomp allow-lists of each sandboxed role. Every entry needs a reason:
/// docs/sandbox.md lists them; keep the two in step. The default action of
/// every filter kills the whole process (SIGSYS), so a missing entry shows up
/// as a dead child with "seccomp violation" in the master's log.
public enum SandboxRole: String, Sendable {
    case worker
    case dnsHelper = "dns"
    case spool
    /// The spool when its report store is PostgreSQL: it may reconnect.
    case spoolWithDatabaseConnection = "spool-pg"
}

public struct SyscallPolicy: Sendable {
    public var allowed: [String]
    /// Syscalls refused with EPERM instead of a kill: probes that libraries
    /// make and handle (none today; kept so the choice is explicit).
    public var refusedWithErrno: [String] = []

    /// What a single-threaded process that only talks over inherited
    /// sockets needs (measured, see DESIGN.md "Swift under seccomp").
    static let base: [String] = [
        "read", "write", "readv", "writev", "recvmsg", "sendmsg", "sendto", "recvfrom",
        "close", "poll", "ppoll",
        "brk", "mmap", "munmap", "mremap", "madvise", "mprotect",
        "futex", "sched_yield", "gettid", "getpid", "getrandom",
        "clock_gettime", "gettimeofday", "clock_nanosleep", "nanosleep",
        "rt_sigreturn", "rt_sigprocmask", "exit", "exit_group",
        "newfstatat", "fstat", "lseek",
        "shutdown",
    ]

    public static func forRole(_ role: SandboxRole) -> SyscallPolicy {
        switch role {
        case .worker:
            return SyscallPolicy(allowed: base)
        case .dnsHelper:
            // Its own UDP/TCP sockets to the resolvers (socket is limited
            // to AF_INET/AF_INET6 in Sandbox.swift; sockets are opened
            // non-blocking with SOCK_NONBLOCK, so no fcntl; the kernel
            // picks the source port at connect, so no bind); getsockopt
            // reads SO_ERROR after a non-blocking TCP connect.
            return SyscallPolicy(allowed: base + ["connect", "getsockopt"])
        case .spool:
            return SyscallPolicy(allowed: spoolFiles)
        case .spoolWithDatabaseConnection:
            // libpq reconnecting after the server went away (PQreset):
            // socket is limited to AF_UNIX/AF_INET/AF_INET6 in Sandbox.swift;
            // TCP_NODELAY/keepalive options, the peer credential check of a
            // unix socket and SO_ERROR after a non-blocking connect.
            return SyscallPolicy(allowed: spoolFiles + ["connect", "setsockopt", "getsockopt", "getsockname", "getpeername"])
        }
    }

    /// Writes its spool, cache and lib directories (SQLite included).
    static var spoolFiles: [String] {
        base + [
            "openat", "open", "fsync", "fdatasync", "ftruncate", "rename", "renameat", "renameat2",
            "unlink", "unlinkat", "mkdir", "mkdirat", "fcntl", "getdents64", "pread64", "pwrite64",
            "statx", "stat", "lstat", "access", "faccessat", "faccessat2", "fchmod", "fchown", "getcwd",
            "readlink", "geteuid", "getuid", "umask",
        ]
    }
}
