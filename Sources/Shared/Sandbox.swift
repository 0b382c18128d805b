#if canImport(Glibc)
import Glibc
#endif
import CSeccomp
import CCap
import CShim

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

public enum SandboxError: Error, CustomStringConvertible {
    case unknownUser(String)
    case unknownGroup(String)
    case failed(step: String, errno: Int32)

    public var description: String {
        switch self {
        case .unknownUser(let u): return "unknown user '\(u)'"
        case .unknownGroup(let g): return "unknown group '\(g)'"
        case .failed(let step, let e): return "\(step) failed: \(String(cString: strerror(e)))"
        }
    }
}

/// Jails the calling process for good. The order follows DESIGN.md: resolve
/// user and group, chroot, drop capabilities and ids, NO_NEW_PRIVS, let the
/// caller warm up libraries (the closure), then load the kill-default seccomp
/// filter. Returns the log lines worth writing (skipped steps).
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
        warmUp()
        try loadFilter(SyscallPolicy.forRole(role), role: role)
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

    static func loadFilter(_ policy: SyscallPolicy, role: SandboxRole) throws(SandboxError) {
        guard let ctx = seccomp_init(am_scmp_act_kill_process()) else {
            throw .failed(step: "seccomp_init", errno: ENOMEM)
        }
        defer { seccomp_release(ctx) }
        // All threads (there should be one) get the same filter.
        _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)
        for name in policy.allowed {
            // A name unknown on this architecture is skipped, not fatal.
            _ = am_seccomp_allow(ctx, name)
        }
        for name in policy.refusedWithErrno { _ = am_seccomp_errno(ctx, name, EPERM) }
        // A process may signal itself (abort() on a Swift trap) and nobody else.
        _ = am_seccomp_allow_arg_eq(ctx, "tgkill", 0, UInt64(getpid()))
        _ = am_seccomp_allow_arg_eq(ctx, "rt_sigaction", 0, UInt64(SIGABRT))
        if role == .dnsHelper {
            _ = am_seccomp_allow_arg_eq(ctx, "socket", 0, UInt64(AF_INET))
            _ = am_seccomp_allow_arg_eq(ctx, "socket", 0, UInt64(AF_INET6))
        }
        if role == .spoolWithDatabaseConnection {
            for family in [AF_UNIX, AF_INET, AF_INET6] { _ = am_seccomp_allow_arg_eq(ctx, "socket", 0, UInt64(family)) }
        }
        let rc = seccomp_load(ctx)
        guard rc == 0 else { throw .failed(step: "seccomp_load", errno: -rc) }
    }
}
