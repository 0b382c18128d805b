#if canImport(Glibc)
import Glibc
#endif
import Shared
import CShim

/// SandboxProbe: a test-only handler that makes a system call no worker
/// may make (mkdir) when a client connects with the hostname
/// `seccomp-probe.invalid`, so the process tests can show that the
/// seccomp filter kills the worker and the master replaces it; and that
/// spins on the CPU at end of message for a client named
/// `stage-stall.invalid`, so they can show the stage deadline cutting it. The master
/// refuses to load it unless AUTHMILTER_ALLOW_TEST_HANDLERS=1 is in its
/// environment, so a production configuration cannot enable it.
public final class SandboxProbeHandler: Handler {
    public static let name = "SandboxProbe"
    public static let defaultConfigJSON = "{}"
    public static let helpText = """
        SandboxProbe Module (tests only)

        Provokes a seccomp violation when the connecting host is named
        seccomp-probe.invalid, and never ends its end-of-message callback
        for stage-stall.invalid. Refused unless AUTHMILTER_ALLOW_TEST_HANDLERS=1.
        """
    public static let triggerHostname = "seccomp-probe.invalid"
    public static let stallHostname = "stage-stall.invalid"

    public init(config: ConfigNode) throws(ConfigurationError) {}

    public func connect(_ session: MailSession) throws {
        if session.remoteHostname == Self.triggerHostname {
            _ = am_forbidden_syscall_probe()
        }
    }

    public func endOfMessage(_ session: MailSession) throws {
        guard session.remoteHostname == Self.stallHostname else { return }
        // A handler stuck on the CPU (the clock call keeps the loop from
        // being optimised away).
        var now = timespec()
        while true { clock_gettime(CLOCK_MONOTONIC, &now) }
    }
}
