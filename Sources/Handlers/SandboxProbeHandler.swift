#if canImport(Glibc)
import Glibc
#endif
import CShim
import Config
import IPC

/// SandboxProbe: a test-only handler that makes a system call no worker
/// may make (mkdir) when a client connects with the hostname
/// `seccomp-probe.invalid`, so the process tests can show that the
/// seccomp filter kills the worker and the master replaces it; and that
/// spins on the CPU at end of message for a client named
/// `stage-stall.invalid`, so they can show the stage deadline cutting it
/// (and for 1.5 s for `stage-slow.invalid`, to show it not cutting early);
/// and that plays a subverted worker for `hostile-ipc.invalid`, announcing
/// a 64 MiB message to the master on its control channel and writing it,
/// so they can show the master refusing it and replacing the worker. The master
/// refuses to load it unless AUTHMILTER_ALLOW_TEST_HANDLERS=1 is in its
/// environment, so a production configuration cannot enable it.
public final class SandboxProbeHandler: Handler {
    public static let name = "SandboxProbe"
    public static let defaultConfigJSON = "{}"
    public static let helpText = """
        SandboxProbe Module (tests only)

        Provokes a seccomp violation when the connecting host is named
        seccomp-probe.invalid, and never ends its end-of-message callback
        for stage-stall.invalid; sends the master a 64 MiB message for
        hostile-ipc.invalid. Refused unless AUTHMILTER_ALLOW_TEST_HANDLERS=1.
        """
    public static let triggerHostname = "seccomp-probe.invalid"
    public static let stallHostname = "stage-stall.invalid"
    /// End of message takes 1.5 s for this client: longer than a shorter
    /// stage's timer that is still running, shorter than its own limit.
    public static let slowHostname = "stage-slow.invalid"
    public static let hostileIPCHostname = "hostile-ipc.invalid"
    /// The worker's control channel to the master.
    static let masterChannelFD = ChildDescriptor.master.fd

    public init(config: ConfigNode) throws(ConfigurationError) {}

    public func connect(_ session: MailSession) throws {
        if session.remoteHostname == Self.triggerHostname {
            _ = am_forbidden_syscall_probe()
        }
        if session.remoteHostname == Self.hostileIPCHostname {
            Self.announceHugeMessageToTheMaster()
        }
    }

    /// A `done` message (which carries no payload) announcing 64 MiB, then
    /// the 64 MiB, with plain writes (a worker has no sendmsg): a master
    /// that buffered it would grow by that much. A master that checks the
    /// header kills this worker long before the end.
    static func announceHugeMessageToTheMaster() {
        let payload = 64 * 1024 * 1024
        let length = UInt32(payload + 1)
        var header = [UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
                      UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length), WorkerToMaster.done.code]
        _ = write(masterChannelFD, &header, header.count)
        let block = [UInt8](repeating: 0x41, count: 1 << 20)
        var sent = 0
        while sent < payload {
            let n = block.withUnsafeBytes { write(masterChannelFD, $0.baseAddress, min($0.count, payload - sent)) }
            if n <= 0 { return }
            sent += n
        }
    }

    public func endOfMessage(_ session: MailSession) throws {
        if session.remoteHostname == Self.slowHostname {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let until = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 + 1.5
            while Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 < until { clock_gettime(CLOCK_MONOTONIC, &now) }
            return
        }
        guard session.remoteHostname == Self.stallHostname else { return }
        // A handler stuck on the CPU (the clock call keeps the loop from
        // being optimised away).
        var now = timespec()
        while true { clock_gettime(CLOCK_MONOTONIC, &now) }
    }
}
