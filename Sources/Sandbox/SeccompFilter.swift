#if canImport(Glibc)
import Glibc
#endif
import CSeccomp
import SystemIO

/// A libseccomp filter built from a `SyscallPolicy`, every step checked.
/// Default action: trap. The child's SIGSYS reporter (installed by
/// `Sandbox`) writes the system call's number to the master's log and then
/// dies of SIGSYS, so the outcome is the kill a kill-default filter gives,
/// with the call named in the log.
public final class SeccompFilter {
    private let context: scmp_filter_ctx

    public init(policy: SyscallPolicy, ownPid: pid_t = getpid()) throws(SandboxError) {
        guard let context = seccomp_init(am_scmp_act_trap()) else { throw .initialisation }
        self.context = context
        // Every thread gets the filter (there should be only one).
        let rc = seccomp_attr_set(context, SCMP_FLTATR_CTL_TSYNC, 1)
        guard rc == 0 else { throw .attributeRefused("SCMP_FLTATR_CTL_TSYNC", errno: -rc) }
        for rule in policy.rules {
            try add(rule, ownPid: ownPid)
        }
    }

    deinit { seccomp_release(context) }

    /// Loads the filter into the calling process, for good.
    public func load() throws(SandboxError) {
        let rc = seccomp_load(context)
        guard rc == 0 else { throw .loadRefused(errno: -rc) }
    }

    /// The number of `name` on this architecture, or nil.
    public static func number(of name: String) -> Int32? {
        let nr = seccomp_syscall_resolve_name(name)
        return nr == am_nr_scmp_error() ? nil : nr
    }

    /// The name of system call `number` on this architecture, or nil.
    public static func name(of number: Int32) -> String? {
        guard let name = seccomp_syscall_resolve_num_arch(UInt32(SCMP_ARCH_NATIVE), number) else { return nil }
        defer { free(name) }
        return String(cString: name)
    }

    private func add(_ rule: SyscallRule, ownPid: pid_t) throws(SandboxError) {
        guard let nr = Self.number(of: rule.name) else { throw .unknownSyscall(rule.name) }
        let allow = am_scmp_act_allow()
        var results: [Int32] = []
        switch rule.arguments {
        case .any:
            results.append(am_seccomp_rule0(context, allow, nr))
        case .oneOf(let index, let values, _):
            for value in values {
                results.append(am_seccomp_rule1(context, allow, nr, index, am_scmp_cmp_eq(), value, 0))
            }
        case .maskedOneOf(let index, let mask, let values, _):
            for value in values {
                results.append(am_seccomp_rule1(context, allow, nr, index, am_scmp_cmp_masked_eq(), mask, value))
            }
        case .noneOfBits(let index, let mask, _):
            results.append(am_seccomp_rule1(context, allow, nr, index, am_scmp_cmp_masked_eq(), mask, 0))
        case .ownPid(let index):
            results.append(am_seccomp_rule1(context, allow, nr, index, am_scmp_cmp_eq(), UInt64(ownPid), 0))
        }
        if let refused = results.first(where: { $0 != 0 }) {
            throw .ruleRefused(syscall: rule.name, errno: -refused)
        }
    }
}

/// Turns the child's SIGSYS report line into one that names the call.
public enum SeccompViolationReport {
    static let prefix = "error seccomp: forbidden system call "

    /// "error seccomp: forbidden system call 83" (a ChildLog line at error
    /// level) -> "... 83 (mkdir)"; other lines
    /// unchanged.
    public static func named(_ line: String) -> String {
        guard line.hasPrefix(prefix), let number = Int32(line.dropFirst(prefix.count)) else { return line }
        return "\(line) (\(SeccompFilter.name(of: number) ?? "unknown"))"
    }
}
