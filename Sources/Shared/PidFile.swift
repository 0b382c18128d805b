#if canImport(Glibc)
import Glibc
#endif

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

    /// Writes atomically (temporary file + rename) so a reader never sees
    /// a half-written pid.
    public static func write(_ path: String, pid: pid_t) -> Bool {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        let text = Array("\(pid)\n".utf8)
        let written = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == text.count else { unlink(temporary); return false }
        return rename(temporary, path) == 0
    }

    public static func remove(_ path: String) { unlink(path) }

    /// True when `pid` is a live master of ours (not a worker, not a
    /// recycled pid of some other program).
    public static func isRunningMaster(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let comm = readSmallFile("/proc/\(pid)/comm") else { return false }
        return comm.trimmed(keeping: { !$0.isNewline }) == masterProcessName
    }

    /// Masters in the process list started with the same ident (nil: none)
    /// and the same pidfile: a master started with another --pidfile is
    /// another instance, whatever its ident.
    public static func searchProcessList(ident: String?, pidfile: String) -> [pid_t] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var found: [pid_t] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = Int32(name), pid != getpid(), isRunningMaster(pid) else { continue }
            guard let cmdline = readSmallFile("/proc/\(pid)/cmdline") else { continue }
            let argv = cmdline.split(separator: "\0", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
            let options = try? CommandLineOptions.parse(Array(argv.dropFirst()))
            if let options, options.ident == ident, options.pidfile == pidfile { found.append(pid) }
        }
        return found.sorted()
    }

    /// The running master: from the pidfile when it names one, else from
    /// the process list. `stale` is set when the pidfile named a dead pid.
    public static func findMaster(pidfile: String, ident: String?) -> (pid: pid_t?, stalePid: pid_t?) {
        if let pid = read(pidfile) {
            if isRunningMaster(pid) { return (pid, nil) }
            return (searchProcessList(ident: ident, pidfile: pidfile).first, pid)
        }
        return (searchProcessList(ident: ident, pidfile: pidfile).first, nil)
    }

    static func readSmallFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
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
