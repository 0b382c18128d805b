#if canImport(Glibc)
import Glibc
#endif
import CShim
import IPC
import MasterSupport
import SystemIO

/// A spawned child (worker, DNS helper or spool): its pid, its end of the
/// control socketpair and the read end of the pipe that carries its stderr
/// (log lines) to the master.
public struct ChildProcess: Sendable {
    public var pid: pid_t
    public var channel: Int32
    public var logPipe: Int32

    /// posix_spawn `path`; the child sees `ChildDescriptor.master` = the
    /// control channel, `passing` at their named places, fd 2 = a pipe to
    /// the master. The named places must follow `.master` without a gap
    /// (the C spawner numbers them 3, 4, 5, ...). The child's environment
    /// is `ChildEnvironment.make`'s.
    public static func spawn(path: String, arguments: [String],
                             passing: [(ChildDescriptor, Int32)] = []) throws(MasterError) -> ChildProcess {
        for (offset, entry) in passing.enumerated() {
            precondition(entry.0.rawValue == ChildDescriptor.master.rawValue + 1 + Int32(offset),
                         "descriptors must be passed in order, without a gap: \(entry.0)")
        }
        let extraFDs = passing.map(\.1)
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw .socketpair(errno)
        }
        var logs: [Int32] = [-1, -1]
        guard am_pipe_cloexec(&logs) == 0 else {
            let e = errno
            close(pair[0]); close(pair[1])
            throw .pipe(e)
        }
        let argv = [path] + arguments
        let environment = ChildEnvironment.make { key in getenv(key).map { String(cString: $0) } }
        let fds = [pair[1]] + extraFDs
        let pid = withCStringArray(argv) { cargv in
            withCStringArray(environment) { cenv in
                fds.withUnsafeBufferPointer { am_spawn(path, cargv, cenv, $0.baseAddress, Int32(fds.count), logs[1]) }
            }
        }
        close(pair[1])
        close(logs[1])
        guard pid > 0 else {
            close(pair[0]); close(logs[0])
            throw .spawn(path: path, errno: -pid)
        }
        return ChildProcess(pid: pid, channel: pair[0], logPipe: logs[0])
    }
}

/// Calls `body` with a NULL-terminated C array of C strings.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
