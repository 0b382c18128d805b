#if canImport(Glibc)
import Glibc
#endif

/// The sandboxed roles; each has one `SyscallPolicy`.
public enum SandboxRole: String, Sendable, CaseIterable {
    case worker
    case dnsHelper = "dns"
    case spool
    /// The spool when its report store is PostgreSQL: it may reconnect.
    case spoolWithDatabaseConnection = "spool-pg"
    /// The spool with `errors_to`: it delivers the error mail over SMTP.
    case spoolWithMailDelivery = "spool-mail"
    /// The scanner: the only process that talks to spamd (SpamAssassin).
    case scanner = "scan"
    /// The BIMI fetch helper: the only process that makes HTTPS requests.
    case bimiFetcher = "bimi-fetch"
    /// A worker in SMTP mode (`"protocol": "smtp"`): the milter worker's
    /// policy plus the body spool file it opened before its filter.
    case smtpWorker = "smtp-worker"
}

/// What one system call may be called with. Anything else is the filter's
/// default action (the process dies with SIGSYS).
public enum SyscallArgumentRule: Sendable, Equatable {
    /// Any arguments.
    case any
    /// Argument `index` is one of `values` (one filter rule per value).
    case oneOf(index: UInt32, values: [UInt64], meaning: String)
    /// Argument `index` masked with `mask` is one of `values`: for flag
    /// words whose other bits do not matter (futex's private flag).
    case maskedOneOf(index: UInt32, mask: UInt64, values: [UInt64], meaning: String)
    /// Argument `index` has none of the bits of `mask` set (mprotect and
    /// mmap never ask for PROT_EXEC).
    case noneOfBits(index: UInt32, mask: UInt64, meaning: String)
    /// Argument `index` is the calling process's own pid, filled in when the
    /// filter is built (a process may signal only itself).
    case ownPid(index: UInt32)

    /// How docs/sandbox.md shows the rule.
    public var text: String {
        switch self {
        case .any: "any"
        case .oneOf(let index, _, let meaning): "arg\(index): \(meaning)"
        case .maskedOneOf(let index, _, _, let meaning): "arg\(index): \(meaning)"
        case .noneOfBits(let index, _, let meaning): "arg\(index): \(meaning)"
        case .ownPid(let index): "arg\(index): own pid"
        }
    }
}

/// One allowed system call, its argument rule and why it is there.
public struct SyscallRule: Sendable, Equatable {
    public var name: String
    public var arguments: SyscallArgumentRule
    public var reason: String

    public init(_ name: String, _ arguments: SyscallArgumentRule = .any, because reason: String) {
        self.name = name
        self.arguments = arguments
        self.reason = reason
    }
}

/// A resource limit a child sets on itself after dropping privileges and
/// before its filter (setrlimit is not in any filter). The value is a
/// ceiling: where the inherited hard limit is lower, that one stays (an
/// unprivileged process cannot raise it).
public struct ResourceLimit: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case processes = "RLIMIT_NPROC"
        case fileSize = "RLIMIT_FSIZE"
        case openFiles = "RLIMIT_NOFILE"
    }

    public var kind: Kind
    public var value: UInt64
    public var reason: String
}

/// The whole sandbox policy of one role, as one value: every allowed system
/// call with its argument rule and reason, and the resource limits. The
/// filter is built from it (`SeccompFilter`), docs/sandbox.md shows it
/// (`markdown`, checked by a test) and a unit test checks that every name
/// exists on this architecture and every rule is accepted.
public struct SyscallPolicy: Sendable, Equatable {
    public var role: SandboxRole
    public var rules: [SyscallRule]
    public var limits: [ResourceLimit]

    public var names: [String] { rules.map(\.name) }

    public static func forRole(_ role: SandboxRole) -> SyscallPolicy {
        switch role {
        case .worker:
            return SyscallPolicy(role: role, rules: base + stageDeadline, limits: limits(openFiles: 64, writesFiles: false))
        case .dnsHelper:
            // One channel per worker and one UDP/TCP socket per query in
            // flight (up to 256 per channel).
            return SyscallPolicy(role: role, rules: base + dnsSockets, limits: limits(openFiles: 16384, writesFiles: false))
        case .spool:
            // One channel per worker, the journal, SQLite's files.
            return SyscallPolicy(role: role, rules: base + spoolFiles, limits: limits(openFiles: 8192, writesFiles: true))
        case .spoolWithDatabaseConnection:
            return SyscallPolicy(role: role, rules: base + spoolFiles + databaseSockets,
                                 limits: limits(openFiles: 8192, writesFiles: true))
        case .spoolWithMailDelivery:
            return SyscallPolicy(role: role, rules: base + spoolFiles + mailSockets,
                                 limits: limits(openFiles: 8192, writesFiles: true))
        case .scanner:
            // One channel per worker and one spamd connection per channel.
            return SyscallPolicy(role: role, rules: base + spamdSockets, limits: limits(openFiles: 8192, writesFiles: false))
        case .bimiFetcher:
            // One channel per worker and one connection per fetch in flight.
            return SyscallPolicy(role: role, rules: base + httpsSockets, limits: limits(openFiles: 8192, writesFiles: false))
        case .smtpWorker:
            // The inbound connection, the downstream connection the master
            // hands over, the channels and the spool file.
            var limits = limits(openFiles: 64, writesFiles: true)
            limits.append(ResourceLimit(kind: .fileSize, value: smtpSpoolFileCeiling,
                                        reason: "the body spool file: the largest smtp.max_message_size (1 GiB) and room for the header section"))
            return SyscallPolicy(role: role, rules: base + stageDeadline + smtpBodySpool, limits: limits)
        }
    }

    /// The limits of a child: no new processes (seccomp refuses clone and
    /// fork too; this holds even if a filter were lost), a descriptor
    /// ceiling, and no file growth where the role writes no file.
    static func limits(openFiles: UInt64, writesFiles: Bool) -> [ResourceLimit] {
        var limits = [
            ResourceLimit(kind: .processes, value: 0, reason: "no child process can be created"),
            ResourceLimit(kind: .openFiles, value: openFiles,
                          reason: "a subverted process cannot fill the descriptor table; room for its channels and connections"),
        ]
        if !writesFiles {
            limits.append(ResourceLimit(kind: .fileSize, value: 0, reason: "the role writes no file"))
        }
        return limits
    }

    /// What every jailed process needs: a single-threaded process that
    /// talks over inherited sockets (measured, see docs/sandbox.md).
    static let base: [SyscallRule] = [
        SyscallRule("read", because: "channels, the milter socket"),
        SyscallRule("write", because: "channels, the milter socket, stderr log lines"),
        SyscallRule("readv", because: "Foundation and stdio reads"),
        SyscallRule("writev", because: "stdio writes"),
        SyscallRule("recvmsg", because: "a connection or worker channel handed over with SCM_RIGHTS; frames on channels"),
        // No sendmsg: only the master passes descriptors; children send
        // their frames with send (sendto).
        SyscallRule("sendto", because: "frames on channels; send with MSG_NOSIGNAL and MSG_DONTWAIT, so a vanished peer is an error, not a SIGPIPE"),
        SyscallRule("recvfrom", because: "recv on sockets"),
        SyscallRule("close", because: "finishing a connection"),
        SyscallRule("shutdown", because: "finishing a connection"),
        SyscallRule("poll", because: "every wait with a deadline"),
        SyscallRule("ppoll", because: "glibc's poll on some paths"),
        SyscallRule("restart_syscall", because: "the kernel resumes an interrupted poll/nanosleep/futex wait through it after SIGSTOP/SIGCONT, a cgroup freeze/thaw or a debugger attach"),
        SyscallRule("brk", because: "the allocator"),
        SyscallRule("mmap", .noneOfBits(index: 2, mask: UInt64(PROT_EXEC), meaning: "no PROT_EXEC"),
                    because: "the allocator (large blocks), SQLite's shared memory"),
        SyscallRule("munmap", because: "the allocator"),
        SyscallRule("mremap", because: "the allocator (growing large blocks)"),
        SyscallRule("madvise", because: "the allocator returning memory"),
        SyscallRule("mprotect", .noneOfBits(index: 2, mask: UInt64(PROT_EXEC), meaning: "no PROT_EXEC"),
                    because: "the allocator (guard pages, heap growth); never makes memory executable"),
        SyscallRule("futex", .maskedOneOf(index: 1, mask: UInt64(futexCommandMask), values: futexCommands,
                                          meaning: "WAIT, WAKE, REQUEUE, CMP_REQUEUE, WAKE_OP, LOCK_PI, UNLOCK_PI, WAIT_BITSET, WAKE_BITSET, LOCK_PI2 (any PRIVATE/CLOCK_REALTIME flag)"),
                    because: "glibc and the Swift runtime's locks (Mutex uses the PI operations)"),
        SyscallRule("sched_yield", because: "spin locks in the runtime"),
        SyscallRule("gettid", because: "the runtime and abort()"),
        SyscallRule("getpid", because: "the runtime and abort()"),
        SyscallRule("getrandom", because: "OpenSSL and Swift hashing seeds"),
        SyscallRule("clock_gettime", because: "deadlines (vDSO fallback)"),
        SyscallRule("gettimeofday", because: "deadlines (vDSO fallback)"),
        SyscallRule("time", because: "time() (vDSO fallback)"),
        SyscallRule("clock_nanosleep", because: "short back-off sleeps"),
        SyscallRule("nanosleep", because: "short back-off sleeps"),
        SyscallRule("rt_sigreturn", because: "return from a signal handler (SIGSYS report, SIGABRT)"),
        SyscallRule("rt_sigprocmask", because: "abort() on a Swift trap"),
        SyscallRule("rt_sigaction", .oneOf(index: 0, values: [UInt64(SIGABRT)], meaning: "SIGABRT"),
                    because: "abort() on a Swift trap resets SIGABRT"),
        SyscallRule("tgkill", .ownPid(index: 0), because: "abort() signals its own process, and nobody else"),
        SyscallRule("exit", because: "leaving"),
        SyscallRule("exit_group", because: "leaving"),
        SyscallRule("newfstatat", because: "stdio and the runtime probing fds 0-2"),
        SyscallRule("fstat", because: "stdio and the runtime probing fds 0-2"),
        SyscallRule("lseek", because: "stdio"),
    ]

    /// futex(2): the command is the low bits (FUTEX_CMD_MASK clears
    /// FUTEX_PRIVATE_FLAG 128 and FUTEX_CLOCK_REALTIME 256).
    static let futexCommandMask: UInt32 = ~UInt32(128 | 256)
    static let futexCommands: [UInt64] = [0, 1, 3, 4, 5, 6, 7, 9, 10, 13]

    /// The worker's hard stage deadline (`StageAlarm`): a one-shot
    /// ITIMER_REAL armed for the milter stages (shared by the stages that
    /// fit in it; a stage ends without a system call).
    static let stageDeadline: [SyscallRule] = [
        SyscallRule("setitimer", .oneOf(index: 0, values: [0], meaning: "ITIMER_REAL"),
                    because: "arming the stage deadline (only when the running timer does not fit the new stage); its SIGALRM handler replies to the MTA and exits"),
    ]

    /// SMTP mode's body spool: one file per worker, opened (O_TMPFILE,
    /// never linked, so no path exists) in `smtp.temp_dir` before the
    /// filter, written and read with write/read/lseek like any descriptor.
    /// The downstream socket comes from the master (MasterToWorker
    /// `relayConnection`): no socket or connect here.
    static let smtpBodySpool: [SyscallRule] = [
        SyscallRule("ftruncate", because: "emptying the body spool file after each message, so a large message does not keep its disk space"),
        SyscallRule("getpeername", because: "the address of the MTA that connected, for our Received field (its own socket only; it names nothing else)"),
    ]

    /// `RLIMIT_FSIZE` of an SMTP worker.
    public static let smtpSpoolFileCeiling: UInt64 = (1 << 30) + (4 << 20)

    /// The DNS helper's own UDP/TCP sockets to the resolvers, opened with
    /// SOCK_NONBLOCK (no fcntl); the kernel picks the source port (no bind).
    static let dnsSockets: [SyscallRule] = [
        socket([(AF_INET, "AF_INET"), (AF_INET6, "AF_INET6")], because: "UDP and TCP sockets to the resolvers"),
        SyscallRule("connect", because: "to a configured resolver"),
        SyscallRule("getsockopt", because: "SO_ERROR after a non-blocking TCP connect"),
    ]

    /// The scanner's connections to spamd (TCP, or spamd's unix socket),
    /// opened with SOCK_NONBLOCK (no fcntl), one per message. connect's
    /// address is a pointer seccomp cannot read: the address comes from
    /// the master (the scanner's command line), never from a worker.
    static let spamdSockets: [SyscallRule] = [
        socket(streamFamilies, because: "one stream socket to spamd per message"),
        SyscallRule("connect", because: "to the spamd address the master gave"),
        connectError,
    ]

    /// The BIMI fetch helper's HTTPS connections, opened with SOCK_NONBLOCK
    /// (no fcntl), TCP only (no unix socket: nothing local is fetched). It
    /// resolves nothing: the addresses come from the worker, which asked
    /// the DNS helper, and the helper connects only to public ones unless
    /// its command line (the master's) allows private ones.
    static let httpsSockets: [SyscallRule] = [
        socket([(AF_INET, "AF_INET"), (AF_INET6, "AF_INET6")], because: "one TCP socket per HTTPS fetch of a BIMI indicator or VMC"),
        SyscallRule("connect", because: "to an address the worker resolved for the record's URI (public ones only, unless allowed)"),
        connectError,
    ]

    /// socket(2) for these address families only (by number, and by name
    /// for docs/sandbox.md).
    static func socket(_ families: [(Int32, String)], because reason: String) -> SyscallRule {
        SyscallRule("socket", .oneOf(index: 0, values: families.map { UInt64($0.0) }, meaning: families.map(\.1).joined(separator: ", ")),
                    because: reason)
    }

    /// A client's stream sockets: a unix socket or TCP over either family.
    static let streamFamilies: [(Int32, String)] = [(AF_UNIX, "AF_UNIX"), (AF_INET, "AF_INET"), (AF_INET6, "AF_INET6")]

    /// How a non-blocking connect is seen to have ended.
    static let connectError = SyscallRule("getsockopt", because: "SO_ERROR after a non-blocking connect")

    /// The spool's write-ahead journal and SQLite in spool_dir/lib_dir.
    static let spoolFiles: [SyscallRule] = [
        SyscallRule("openat", because: "journal and SQLite files"),
        SyscallRule("open", because: "journal and SQLite files"),
        SyscallRule("fsync", because: "durability of the journal and the store"),
        SyscallRule("fdatasync", because: "durability of the journal and the store"),
        SyscallRule("ftruncate", because: "emptying the journal; SQLite"),
        SyscallRule("rename", because: "SQLite; the rejected-rows file"),
        SyscallRule("renameat", because: "SQLite; the rejected-rows file"),
        SyscallRule("renameat2", because: "SQLite; the rejected-rows file"),
        SyscallRule("unlink", because: "SQLite's journal files"),
        SyscallRule("unlinkat", because: "SQLite's journal files"),
        SyscallRule("mkdir", because: "sub-directories of spool_dir"),
        SyscallRule("mkdirat", because: "sub-directories of spool_dir"),
        SyscallRule("fcntl", because: "SQLite's POSIX locks"),
        SyscallRule("getdents64", because: "listing spool_dir"),
        SyscallRule("pread64", because: "SQLite pages"),
        SyscallRule("pwrite64", because: "SQLite pages"),
        SyscallRule("statx", because: "SQLite and Foundation file checks"),
        SyscallRule("stat", because: "SQLite and Foundation file checks"),
        SyscallRule("lstat", because: "SQLite and Foundation file checks"),
        SyscallRule("access", because: "SQLite probing its journal"),
        SyscallRule("faccessat", because: "SQLite probing its journal"),
        SyscallRule("faccessat2", because: "SQLite probing its journal"),
        SyscallRule("fchmod", because: "SQLite giving new files the database's mode"),
        SyscallRule("fchown", because: "SQLite giving new files the database's owner (a no-op as runas)"),
        SyscallRule("getcwd", because: "SQLite resolving relative paths"),
        SyscallRule("readlink", because: "SQLite resolving the database path"),
        SyscallRule("geteuid", because: "SQLite checking file ownership"),
        SyscallRule("getuid", because: "SQLite checking file ownership"),
        SyscallRule("umask", because: "Foundation creating files"),
    ]

    /// The error mail (`errors_to`): one SMTP connection per mail to
    /// `errors_smtp`, a numeric address (getaddrinfo resolves no name in
    /// the jail: /etc/hosts could be read, DNS could not be asked).
    static let mailSockets: [SyscallRule] = [
        socket(streamFamilies, because: "the error mail's SMTP connection"),
        SyscallRule("connect", because: "to errors_smtp (the local MTA)"),
        connectError,
    ]

    /// libpq reconnecting (PQreset) after the server went away.
    static let databaseSockets: [SyscallRule] = [
        socket(streamFamilies, because: "libpq's new connection"),
        SyscallRule("connect", because: "to the PostgreSQL server"),
        SyscallRule("setsockopt", because: "TCP_NODELAY and keepalive"),
        connectError,
        SyscallRule("getsockname", because: "libpq's connection bookkeeping"),
        SyscallRule("getpeername", because: "the peer credential check of a unix socket"),
        // Kept only here: libkrb5 (GSSAPI), which libpq loads, imports it,
        // and no process test runs a PostgreSQL reconnect to prove it unused.
        SyscallRule("sendmsg", because: "libpq's GSSAPI library (libkrb5) on a reconnect; no channel frame uses it"),
    ]

    /// The policy as the table in docs/sandbox.md (a test checks the file
    /// holds exactly this text).
    public var markdown: String {
        var lines = ["| syscall | argument rule | why |", "| --- | --- | --- |"]
        for rule in rules {
            lines.append("| \(rule.name) | \(rule.arguments.text) | \(rule.reason) |")
        }
        lines.append("")
        lines.append("| limit | value | why |")
        lines.append("| --- | --- | --- |")
        for limit in limits {
            lines.append("| \(limit.kind.rawValue) | \(limit.value) | \(limit.reason) |")
        }
        return lines.joined(separator: "\n")
    }
}
