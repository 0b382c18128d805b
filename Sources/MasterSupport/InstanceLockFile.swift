#if canImport(Glibc)
import Glibc
#endif
import SystemIO

/// `lock_file`: in the Perl program the Net::Server lock file that
/// serializes its children's accept(). Here the master accepts for every
/// worker, so nothing needs serializing; the master instead holds an
/// exclusive `flock` on the file for as long as it runs, so a tool (or an
/// operator with `flock -n <file> true`) can tell whether an instance is
/// alive. A file another process already holds is reported and start-up
/// goes on, as Perl instances that share a lock file both run.
public enum InstanceLockFile {
    public enum Outcome: Equatable, Sendable {
        /// Locked; the descriptor stays open (close-on-exec) for the life
        /// of the process.
        case held(fd: Int32)
        /// Another process holds the lock.
        case heldElsewhere
        /// The file could not be opened or locked (the reason).
        case failed(String)
    }

    /// Opens (creating, mode 0600, never following a link) and locks `path`.
    public static func acquire(_ path: String, safePath: SafePath) -> Outcome {
        let fd: Int32
        do {
            fd = try safePath.openForAppend(path, mode: 0o600)
        } catch {
            return .failed("\(error)")
        }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return .held(fd: fd) }
        let reason = errno
        close(fd)
        if reason == EWOULDBLOCK { return .heldElsewhere }
        return .failed(SystemIOError.text(for: reason))
    }
}
