#if canImport(Glibc)
import Glibc
#endif
import BenchSupport
import MasterSupport

/// CPU seconds per 1,000 messages of each process role, for the process
/// trees under `roots` (our master from its pidfile, or a peer's pids):
/// a snapshot before the run, one after (`RoleCPU` says how exited
/// children are counted), and the PSS of one process per role.
struct RoleCPUProbe {
    let roots: [Int32]

    init?(pidfile: String?, pids: [Int32]) {
        var roots = pids
        if let pidfile {
            guard let master = PidFile.read(pidfile) else { return nil }
            roots.append(master)
        }
        guard !roots.isEmpty else { return nil }
        self.roots = roots
    }

    func snapshot() -> [Int32: ProcStat] {
        RoleCPU.tree(roots: roots, in: ProcFiles.allStats())
    }

    static var ticksPerSecond: Double { Double(sysconf(Int32(_SC_CLK_TCK))) }

    /// `cpu.<role>` and `cpu.total` in CPU seconds per 1,000 messages.
    func cpuPer1000(before: [Int32: ProcStat], after: [Int32: ProcStat], messages: Int) -> [String: Double] {
        let ticks = RoleCPU.ticks(before: before, after: after)
        let scale = 1000 / Self.ticksPerSecond / Double(max(1, messages))
        var out: [String: Double] = [:]
        for (role, n) in ticks { out["cpu.\(role)"] = Double(n) * scale }
        out["cpu.total"] = Double(ticks.values.reduce(0, +)) * scale
        return out
    }

    /// `pss.<role>`: the median PSS (KiB) of the role's processes.
    func pss(_ snapshot: [Int32: ProcStat]) -> [String: Double] {
        var byRole: [String: [Double]] = [:]
        for (pid, stat) in snapshot {
            guard let kib = ProcFiles.pssKiB(pid) else { continue }
            byRole[ProcessRole.name(forComm: stat.comm), default: []].append(Double(kib))
        }
        return Dictionary(uniqueKeysWithValues: byRole.compactMap { role, values in
            Statistics.median(values).map { ("pss.\(role)", $0) }
        })
    }
}
