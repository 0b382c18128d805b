/// One line of the process table in an error mail (Perl lists pid,
/// command line, size, rss, %mem and %cpu of the master and its children
/// with Proc::ProcessTable): read from `/proc/<pid>/stat` and
/// `/proc/<pid>/cmdline`, parsed here as pure text.
public struct ProcessTableRow: Sendable, Equatable {
    public var pid: Int32
    public var parentPID: Int32
    public var commandLine: String
    /// Virtual size and resident set, KiB.
    public var sizeKiB: Int
    public var rssKiB: Int
    /// CPU time used, seconds, and when the process started, seconds after boot.
    public var cpuSeconds: Double
    public var startedAfterBootSeconds: Double

    public init(pid: Int32, parentPID: Int32, commandLine: String, sizeKiB: Int, rssKiB: Int,
                cpuSeconds: Double, startedAfterBootSeconds: Double) {
        self.pid = pid
        self.parentPID = parentPID
        self.commandLine = commandLine
        self.sizeKiB = sizeKiB
        self.rssKiB = rssKiB
        self.cpuSeconds = cpuSeconds
        self.startedAfterBootSeconds = startedAfterBootSeconds
    }

    /// A `stat` line: `pid (comm) state ppid …`, the command name in
    /// parentheses possibly holding spaces and parentheses itself, so the
    /// fields are counted after the last `)`. `cmdline` is NUL-separated;
    /// empty (a kernel thread, a zombie) gives `[comm]`.
    public init?(stat: String, cmdline: [UInt8], clockTicksPerSecond: Double = 100, pageKiB: Int = 4) {
        guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"), open < close,
              let pid = Int32(String(stat[..<open].filter { $0 != " " })) else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state(0) ppid(1) … utime(11) stime(12) …
        // starttime(19) vsize(20) rss(21).
        guard fields.count > 21, let ppid = Int32(fields[1]), let utime = Double(fields[11]), let stime = Double(fields[12]),
              let start = Double(fields[19]), let vsize = Int(fields[20]), let rss = Int(fields[21]) else { return nil }
        var words = cmdline.split(separator: 0, omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
        if words.isEmpty { words = ["[" + String(stat[stat.index(after: open)..<close]) + "]"] }
        self.init(pid: pid, parentPID: ppid, commandLine: words.joined(separator: " "), sizeKiB: vsize / 1024, rssKiB: rss * pageKiB,
                  cpuSeconds: (utime + stime) / clockTicksPerSecond, startedAfterBootSeconds: start / clockTicksPerSecond)
    }

    /// Per cent of memory (of `memoryKiB`) and of one CPU since the start
    /// (`uptimeSeconds`: /proc/uptime), as `ps` counts them.
    public func percentages(memoryKiB: Int, uptimeSeconds: Double) -> (memory: Double, cpu: Double) {
        let memory = memoryKiB > 0 ? Double(rssKiB) * 100 / Double(memoryKiB) : 0
        let alive = uptimeSeconds - startedAfterBootSeconds
        return (memory, alive > 0 ? cpuSeconds * 100 / alive : 0)
    }
}
