#if canImport(Glibc)
import Glibc
#endif
import CCap
import CShim
import Config
import Sandbox

/// The master gives up root once its sockets are bound and its pidfile is
/// written: it becomes `runas:rungroup` and keeps at most CAP_SYS_CHROOT
/// (only when `chroot` is set), handed to its children as an ambient
/// capability so a worker can chroot and then drop it for good. Nothing
/// else survives, not even in the bounding set.
enum MasterPrivileges {
    /// The account the children (workers, DNS helper, spool) run as when
    /// the master starts as root without `runas`: the manual's sample
    /// (`"runas": "nobody"`, `"rungroup": "nogroup"`). A system without a
    /// `nogroup` group uses nobody's own group.
    static let defaultUser = "nobody"
    static let defaultGroup = "nogroup"

    /// Who the children run as. `runas` when set (`"root"` included: the
    /// only way to keep them at uid 0); started as root without it,
    /// `nobody`; not root, nil (no switch is possible).
    static func childAccount(_ c: Configuration) -> (user: String, group: String?)? {
        if let user = c.runas { return (user, c.rungroup) }
        guard geteuid() == 0 else { return nil }
        return (defaultUser, getgrnam(defaultGroup) != nil ? defaultGroup : nil)
    }

    /// The start-up warning for the default account, nil when none is due.
    static func defaultAccountWarning(_ c: Configuration) -> String? {
        guard c.runas == nil, let (user, group) = childAccount(c) else { return nil }
        return "no runas is set: the workers and helpers (DNS, spool, scanner) run as \(user)" + (group.map { ":\($0)" } ?? "")
            + " (the master keeps root); set \"runas\" and \"rungroup\" to choose the account, or \"runas\": \"root\" to keep them as root"
    }

    /// The ids the master's files and directories are given to (and the
    /// user trusted, besides root, to own the directories on their way);
    /// nil when not root.
    static func childIDs(_ c: Configuration) throws(SandboxError) -> (uid: uid_t, gid: gid_t)? {
        guard geteuid() == 0, let (user, group) = childAccount(c) else { return nil }
        return try Sandbox.resolve(user: user, group: group)
    }

    static func drop(_ c: Configuration) throws -> [String] {
        guard geteuid() == 0 else {
            if c.runas != nil || c.rungroup != nil || c.chroot != nil {
                return ["not running as root: runas/rungroup/chroot are skipped; seccomp and NO_NEW_PRIVS still apply"]
            }
            return []
        }
        guard let user = c.runas else {
            return ["running as root without runas: the master keeps root; its children run as \(defaultUser) and drop every capability"]
        }
        let (uid, gid) = try Sandbox.resolve(user: user, group: c.rungroup)
        // "runas": "root" asks for uid 0: the master stays as it is (a
        // uid 0 without capabilities could not start its children, which
        // switch groups as root before dropping every capability).
        guard uid != 0 else {
            return ["runas is root: the master and its children keep uid 0; the children still drop every capability"]
        }
        let keep: [cap_value_t] = c.chroot != nil ? [cap_value_t(CAP_SYS_CHROOT)] : []
        let last = am_cap_last()
        if last >= 0 {
            for cap in 0...last where !keep.contains(cap_value_t(cap)) { _ = am_cap_bounding_drop(Int32(cap)) }
        }
        _ = am_set_keepcaps(1)
        var groups = [gid]
        guard setgroups(1, &groups) == 0 else { throw SandboxError.failed(step: "setgroups", errno: errno) }
        guard am_setresgid(gid, gid, gid) == 0 else { throw SandboxError.failed(step: "setresgid", errno: errno) }
        guard am_setresuid(uid, uid, uid) == 0 else { throw SandboxError.failed(step: "setresuid", errno: errno) }
        _ = am_set_keepcaps(0)
        let rc = keep.withUnsafeBufferPointer { am_cap_set_exactly($0.baseAddress, Int32(keep.count), 1) }
        guard rc == 0 else { throw SandboxError.failed(step: "setting capabilities", errno: errno) }
        for cap in keep { _ = am_cap_ambient_raise(Int32(cap)) }
        return ["running as \(user)" + (c.rungroup.map { ":\($0)" } ?? "") + (keep.isEmpty ? " with no capabilities" : " keeping only CAP_SYS_CHROOT for the workers' chroot")]
    }
}
