#if canImport(Glibc)
import Glibc
#endif
import CCap
import CSeccomp
import CShim
import SystemIO

/// Who a sandboxed child becomes and where it is locked.
public struct PrivilegeSettings: Sendable, Equatable {
    public var user: String?
    public var group: String?
    public var chroot: String?
    public init(user: String? = nil, group: String? = nil, chroot: String? = nil) {
        self.user = user
        self.group = group
        self.chroot = chroot
    }
}

/// Jails the calling process for good. The order: resolve user and group,
/// chroot, drop capabilities and ids, NO_NEW_PRIVS, let the caller warm up
/// libraries (the closure), set the role's resource limits, install the
/// SIGSYS reporter, then load the role's seccomp filter (`SyscallPolicy`).
/// Returns the log lines worth writing (skipped steps).
public enum Sandbox {
    @discardableResult
    public static func enter(
        role: SandboxRole,
        privileges: PrivilegeSettings,
        warmUp: () -> Void = {}
    ) throws(SandboxError) -> [String] {
        var notes: [String] = []
        let isRoot = geteuid() == 0
        var ids: (uid_t, gid_t)? = nil
        if let user = privileges.user {
            ids = try resolve(user: user, group: privileges.group)
        }
        if let dir = privileges.chroot {
            if isRoot || hasChrootCapability() {
                guard chdir(dir) == 0 else { throw .failed(step: "chdir(\(dir))", errno: errno) }
                guard Glibc.chroot(dir) == 0 else { throw .failed(step: "chroot(\(dir))", errno: errno) }
                guard chdir("/") == 0 else { throw .failed(step: "chdir(/)", errno: errno) }
            } else {
                notes.append("\(role.rawValue): not root, chroot \(dir) skipped")
            }
        }
        if isRoot {
            // Only root may still shrink the bounding set (CAP_SETPCAP).
            let last = am_cap_last()
            if last >= 0 { for cap in 0...last { _ = am_cap_bounding_drop(Int32(cap)) } }
            if let (uid, gid) = ids {
                var groups = [gid]
                guard setgroups(1, &groups) == 0 else { throw .failed(step: "setgroups", errno: errno) }
                guard am_setresgid(gid, gid, gid) == 0 else { throw .failed(step: "setresgid", errno: errno) }
                guard am_setresuid(uid, uid, uid) == 0 else { throw .failed(step: "setresuid", errno: errno) }
            }
        } else if let (uid, _) = ids, uid != getuid() {
            // Already running as runas (the master switched first) is the
            // normal case and needs no note.
            notes.append("\(role.rawValue): not root, runas skipped")
        }
        _ = am_cap_ambient_clear_all()
        guard am_cap_set_exactly(nil, 0, 0) == 0 else { throw .failed(step: "clearing capabilities", errno: errno) }
        guard am_set_no_new_privs() == 0 else { throw .failed(step: "PR_SET_NO_NEW_PRIVS", errno: errno) }
        // strerror's table, for `SystemIOError`'s text once jailed.
        _ = SystemIOError.text(for: EAGAIN)
        warmUp()
        let policy = SyscallPolicy.forRole(role)
        let filter: SeccompFilter
        filter = try SeccompFilter(policy: policy)
        notes += try applyLimits(policy.limits, role: role)
        guard am_install_sigsys_reporter() == 0 else { throw .failed(step: "SIGSYS handler", errno: errno) }
        try filter.load()
        return notes
    }

    public static func resolve(user: String, group: String?) throws(SandboxError) -> (uid_t, gid_t) {
        guard let pw = getpwnam(user) else { throw .unknownUser(user) }
        var gid = pw.pointee.pw_gid
        if let group {
            guard let gr = getgrnam(group) else { throw .unknownGroup(group) }
            gid = gr.pointee.gr_gid
        }
        return (pw.pointee.pw_uid, gid)
    }

    private static func hasChrootCapability() -> Bool {
        // CAP_SYS_CHROOT (18) handed down by the master as an ambient cap.
        guard let caps = cap_get_proc() else { return false }
        defer { cap_free(UnsafeMutableRawPointer(caps)) }
        var value = cap_flag_value_t(rawValue: 0)
        guard cap_get_flag(caps, cap_value_t(CAP_SYS_CHROOT), CAP_EFFECTIVE, &value) == 0 else { return false }
        return value == CAP_SET
    }

    /// Lowers soft and hard limits together: the process can never raise
    /// them again (and setrlimit is in no filter). RLIMIT_FSIZE 0 is left
    /// out, with a note, when stderr is a regular file (a child started by
    /// hand or by a test, not through the master's pipe): its log lines
    /// would kill it with SIGXFSZ.
    static func applyLimits(_ limits: [ResourceLimit], role: SandboxRole) throws(SandboxError) -> [String] {
        var notes: [String] = []
        var standardError = stat()
        let stderrIsFile = fstat(2, &standardError) == 0 && (standardError.st_mode & S_IFMT) == S_IFREG
        for limit in limits {
            if limit.kind == .fileSize && stderrIsFile {
                notes.append("\(role.rawValue): stderr is a file, RLIMIT_FSIZE not lowered")
                continue
            }
            let resource: __rlimit_resource_t
            switch limit.kind {
            case .processes: resource = __rlimit_resource_t(__RLIMIT_NPROC.rawValue)
            case .fileSize: resource = __rlimit_resource_t(RLIMIT_FSIZE.rawValue)
            case .openFiles: resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
            }
            var current = rlimit()
            guard getrlimit(resource, &current) == 0 else { throw .failed(step: "getrlimit(\(limit.kind.rawValue))", errno: errno) }
            let ceiling = min(rlim_t(limit.value), current.rlim_max)
            var value = rlimit(rlim_cur: ceiling, rlim_max: ceiling)
            guard setrlimit(resource, &value) == 0 else { throw .failed(step: "setrlimit(\(limit.kind.rawValue))", errno: errno) }
        }
        return notes
    }
}
