#if canImport(Glibc)
import Glibc
#endif
import Shared
import CShim
import CCap

/// The master gives up root once its sockets are bound and its pidfile is
/// written: it becomes `runas:rungroup` and keeps at most CAP_SYS_CHROOT
/// (only when `chroot` is set), handed to its children as an ambient
/// capability so a worker can chroot and then drop it for good. Nothing
/// else survives, not even in the bounding set.
enum MasterPrivileges {
    static func drop(_ c: Configuration) throws -> [String] {
        guard geteuid() == 0 else {
            if c.runas != nil || c.rungroup != nil || c.chroot != nil {
                return ["not running as root: runas/rungroup/chroot are skipped; seccomp and NO_NEW_PRIVS still apply"]
            }
            return []
        }
        guard let user = c.runas else {
            return ["running as root without runas: the master keeps root; workers still drop every capability"]
        }
        let (uid, gid) = try Sandbox.resolve(user: user, group: c.rungroup)
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
