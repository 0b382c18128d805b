#if canImport(Glibc)
import Glibc
#endif
import SystemIO

/// The pidfile and the process-list search the manual asks for when the
/// pidfile holds no valid data. A running master renames its thread to
/// `masterProcessName` so it can be told apart from a control invocation
/// (`-c status`) whose command line looks the same.
public enum PidFile {
    public static let masterProcessName = "authmilter-main"

    public static func read(_ path: String) -> pid_t? {
        guard let text = readSmallFile(path) else { return nil }
        let digits = text.trimmed(keeping: { $0.isNumber })
        guard let value = Int32(digits), value > 1 else { return nil }
        return value
    }

    /// Writes atomically (`<pidfile>.tmp` + rename) so a reader never sees
    /// a half-written pid; through `SafePath`, so a link planted at either
    /// name, or a directory on the way someone else can write, is refused
    /// instead of followed as root.
    public static func write(_ path: String, pid: pid_t, safePath: SafePath) throws(SystemIOError) {
        try safePath.writeFile(path, contents: Array("\(pid)\n".utf8))
    }

    /// Removes the pidfile (never following a link); failures are ignored:
    /// a pidfile left behind is found stale by the next start.
    public static func remove(_ path: String, safePath: SafePath) { try? safePath.remove(path) }

    /// True when `pid` is a live master of ours (not a worker, not a
    /// recycled pid of some other program).
    public static func isRunningMaster(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let comm = readSmallFile("/proc/\(pid)/comm") else { return false }
        return comm.trimmed(keeping: { !$0.isNewline }) == masterProcessName
    }

    /// True when `pid` is a live master of this instance: started with the
    /// same ident (nil: none) and the same pidfile. A master started with
    /// another --pidfile is another instance, whatever its ident. Both
    /// ways of finding the master (the pidfile and the process list) ask
    /// this, so `-c stop` never signals another instance's master.
    public static func isMaster(_ pid: pid_t, ident: String?, pidfile: String) -> Bool {
        guard isRunningMaster(pid), let cmdline = readSmallFile("/proc/\(pid)/cmdline") else { return false }
        let argv = cmdline.split(separator: "\0", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
        guard let options = try? CommandLineOptions.parse(Array(argv.dropFirst())) else { return false }
        guard options.ident == ident else { return false }
        // A relative --pidfile is relative to where each process started.
        let theirs = absolute(options.pidfile, in: readLink("/proc/\(pid)/cwd"))
        return theirs == absolute(pidfile, in: readLink("/proc/self/cwd"))
    }

    static func absolute(_ path: String, in directory: String?) -> String {
        guard !path.hasPrefix("/"), let directory else { return path }
        return directory + "/" + path
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Masters of this instance in the process list (see `isMaster`).
    public static func searchProcessList(ident: String?, pidfile: String) -> [pid_t] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var found: [pid_t] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = Int32(name), pid != getpid() else { continue }
            if isMaster(pid, ident: ident, pidfile: pidfile) { found.append(pid) }
        }
        return found.sorted()
    }

    /// The running master: from the pidfile when it names one of this
    /// instance, else from the process list. `stalePid` is set when the
    /// pidfile named a pid that is not (a dead pid, or another instance's
    /// master).
    public static func findMaster(pidfile: String, ident: String?) -> (pid: pid_t?, stalePid: pid_t?) {
        if let pid = read(pidfile) {
            if isMaster(pid, ident: ident, pidfile: pidfile) { return (pid, nil) }
            return (searchProcessList(ident: ident, pidfile: pidfile).first, pid)
        }
        return (searchProcessList(ident: ident, pidfile: pidfile).first, nil)
    }

    /// Reads at most 4 KiB; a link at `path` is not followed (a pidfile
    /// replaced by a link reads as no pid), nor is a FIFO waited on.
    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while total < buffer.count {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, $0.count - total) }
            if n <= 0 { break }
            total += n
        }
        return String(decoding: buffer[0..<total], as: UTF8.self)
    }
}

extension String {
    /// Drops leading and trailing characters for which `keep` is false.
    func trimmed(keeping keep: (Character) -> Bool) -> String {
        guard let first = firstIndex(where: keep), let last = lastIndex(where: keep) else { return "" }
        return String(self[first...last])
    }
}
