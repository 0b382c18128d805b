import SystemIO

/// The one error of the Sandbox module: why a process could not be jailed
/// (its user or group, a privilege step, the seccomp filter). Start-up
/// fails with it: a step that is silently skipped would leave a process
/// with more than its role allows, and a skipped seccomp rule would show up
/// later as a SIGSYS in production.
///
/// `code` is what a program or a test matches; `reason` is the sentence
/// for the log, and `description`.
public struct SandboxError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        case unknownUser = "unknown-user"
        case unknownGroup = "unknown-group"
        /// A privilege or jail step (chroot, setresuid, prctl, rlimit...).
        case stepFailed = "step-failed"
        case filterInitialisation = "filter-initialisation"
        case unknownSyscall = "unknown-syscall"
        case ruleRefused = "rule-refused"
        case attributeRefused = "attribute-refused"
        case loadRefused = "load-refused"
    }

    public let code: Code
    public let reason: String
    /// errno of the failed call, where there was one.
    public let errno: Int32?

    public init(_ code: Code, _ reason: String, errno: Int32? = nil) {
        self.code = code
        self.reason = reason
        self.errno = errno
    }

    public var description: String { reason }

    public static func unknownUser(_ user: String) -> SandboxError {
        SandboxError(.unknownUser, "unknown user '\(user)'")
    }

    public static func unknownGroup(_ group: String) -> SandboxError {
        SandboxError(.unknownGroup, "unknown group '\(group)'")
    }

    public static func failed(step: String, errno e: Int32) -> SandboxError {
        SandboxError(.stepFailed, "\(step) failed: \(SystemIOError.text(for: e))", errno: e)
    }

    static var initialisation: SandboxError { SandboxError(.filterInitialisation, "seccomp_init failed") }

    static func unknownSyscall(_ name: String) -> SandboxError {
        SandboxError(.unknownSyscall, "seccomp: no system call '\(name)' on this architecture")
    }

    static func ruleRefused(syscall name: String, errno e: Int32) -> SandboxError {
        SandboxError(.ruleRefused, "seccomp: the rule for '\(name)' was refused: \(SystemIOError.text(for: e))", errno: e)
    }

    static func attributeRefused(_ name: String, errno e: Int32) -> SandboxError {
        SandboxError(.attributeRefused, "seccomp: attribute \(name) refused: \(SystemIOError.text(for: e))", errno: e)
    }

    static func loadRefused(errno e: Int32) -> SandboxError {
        SandboxError(.loadRefused, "seccomp_load failed: \(SystemIOError.text(for: e))", errno: e)
    }
}
