/// One line of `/proc/<pid>/stat` (proc(5)), the fields the CPU accounting
/// needs. The command name sits in parentheses and may itself hold spaces
/// and parentheses (a process may call itself `a) b (c`), so the fields
/// are counted from the last `)`.
public struct ProcStat: Sendable, Hashable {
    public var pid: Int32
    /// The name between the parentheses (at most 15 bytes, as `comm`).
    public var comm: String
    public var state: Character
    public var ppid: Int32
    /// CPU time in clock ticks (`sysconf(_SC_CLK_TCK)` a second): user,
    /// system, and the same of the children this process has waited for.
    public var utime: Int64
    public var stime: Int64
    public var cutime: Int64
    public var cstime: Int64

    public init(pid: Int32, comm: String, state: Character = "S", ppid: Int32,
                utime: Int64, stime: Int64, cutime: Int64 = 0, cstime: Int64 = 0) {
        self.pid = pid
        self.comm = comm
        self.state = state
        self.ppid = ppid
        self.utime = utime
        self.stime = stime
        self.cutime = cutime
        self.cstime = cstime
    }

    /// Ticks this process used itself (all its threads).
    public var ownTicks: Int64 { utime + stime }

    /// Ticks of the children it reaped (their whole lives).
    public var reapedChildrenTicks: Int64 { cutime + cstime }

    /// nil when the text is not a stat line.
    public static func parse(_ text: String) -> ProcStat? {
        guard let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")"), open < close,
              let pid = Int32(text[..<open].trimmingSpaces) else { return nil }
        let comm = String(text[text.index(after: open)..<close])
        // After ") ": state (field 3), ppid (4), ... utime (14), stime
        // (15), cutime (16), cstime (17).
        let fields = text[text.index(after: close)...].split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count >= 15, let state = fields[0].first, fields[0].count == 1, let ppid = Int32(fields[1]),
              let utime = Int64(fields[11]), let stime = Int64(fields[12]),
              let cutime = Int64(fields[13]), let cstime = Int64(fields[14]) else { return nil }
        return ProcStat(pid: pid, comm: comm, state: state, ppid: ppid, utime: utime, stime: stime, cutime: cutime, cstime: cstime)
    }
}

extension Substring {
    /// Without leading and trailing spaces.
    var trimmingSpaces: Substring {
        guard let first = firstIndex(where: { $0 != " " }), let last = lastIndex(where: { $0 != " " }) else { return "" }
        return self[first...last]
    }
}
