#if canImport(Glibc)
import Glibc
#endif
import SystemIO

/// The one error of the master: why it could not start, bind, start a
/// child or take a configuration. `code` is what the master (and a test
/// reading its log) matches; `reason` is the sentence for the log;
/// `errno` is the failed call's, where there was one.
public struct MasterError: Error, Equatable, CustomStringConvertible {
    enum Code: String, Hashable, Sendable {
        /// socketpair, pipe or posix_spawn for a child failed.
        case spawnFailed = "spawn-failed"
        /// The configuration check child refused the configuration (or
        /// could not give a verdict).
        case configurationRefused = "configuration-refused"
        /// A listening socket could not be made, bound or listened on.
        case bindFailed = "bind-failed"
        /// The unix socket's address is held by a live listener.
        case addressInUse = "address-in-use"
        /// A path named by a key is unsafe for the root master to use.
        case unsafePath = "unsafe-path"
        /// The chroot directory is missing or not a directory.
        case chroot
    }

    let code: Code
    let reason: String
    let errno: Int32

    init(_ code: Code, _ reason: String, errno: Int32 = 0) {
        self.code = code
        self.reason = reason
        self.errno = errno
    }

    public var description: String { reason }

    // MARK: Children

    static func socketpair(_ e: Int32) -> MasterError {
        MasterError(.spawnFailed, "socketpair failed: \(SystemIOError.text(for: e))", errno: e)
    }

    static func pipe(_ e: Int32) -> MasterError {
        MasterError(.spawnFailed, "pipe failed: \(SystemIOError.text(for: e))", errno: e)
    }

    static func spawn(path: String, errno e: Int32) -> MasterError {
        MasterError(.spawnFailed, "cannot start \(path): \(SystemIOError.text(for: e))", errno: e)
    }

    static func refused(_ text: String) -> MasterError {
        MasterError(.configurationRefused, text)
    }

    // MARK: Listening

    static func bind(_ text: String, errno e: Int32 = 0) -> MasterError {
        MasterError(e == EADDRINUSE ? .addressInUse : .bindFailed, text, errno: e)
    }

    // MARK: Start-up checks

    static func path(key: String, _ error: SystemIOError) -> MasterError {
        MasterError(.unsafePath, "\(key): \(error)", errno: error.errno)
    }

    static func chroot(path: String, reason: String) -> MasterError {
        MasterError(.chroot, "chroot \(path): \(reason); the workers could not start")
    }
}
