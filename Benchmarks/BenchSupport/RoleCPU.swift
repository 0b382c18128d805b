/// CPU time of a process tree between two snapshots, by role.
///
/// A snapshot holds the roots (a master, or a peer's pids) and all their
/// descendants, read from `/proc/<pid>/stat`. A process in both snapshots
/// counts its own difference; one that appeared counts all it used; one
/// that exited was reaped by its parent, whose `cutime`+`cstime` grew by
/// that child's whole life, so the growth of every surviving process's
/// reaped-children ticks, less what the exited ones had used before the
/// run, is the exited ones' share. It goes to their role when they all
/// had one role (workers recycled after `max_requests_per_child`), else
/// to `exited` (also children born and reaped between the snapshots).
public enum RoleCPU {
    public static let exitedRole = "exited"

    /// The roots and their descendants among `all`.
    public static func tree(roots: [Int32], in all: [ProcStat]) -> [Int32: ProcStat] {
        var byParent: [Int32: [ProcStat]] = [:]
        for stat in all { byParent[stat.ppid, default: []].append(stat) }
        var selected: [Int32: ProcStat] = [:]
        var queue = all.filter { roots.contains($0.pid) }
        while let next = queue.popLast() {
            guard selected[next.pid] == nil else { continue }
            selected[next.pid] = next
            queue += byParent[next.pid] ?? []
        }
        return selected
    }

    /// Ticks used between `before` and `after` (snapshots from `tree`), by
    /// role (`ProcessRole.name(forComm:)`).
    public static func ticks(before: [Int32: ProcStat], after: [Int32: ProcStat]) -> [String: Int64] {
        var byRole: [String: Int64] = [:]
        var reapedGrowth: Int64 = 0
        for (pid, now) in after {
            let role = ProcessRole.name(forComm: now.comm)
            if let then = before[pid] {
                byRole[role, default: 0] += max(0, now.ownTicks - then.ownTicks)
                reapedGrowth += max(0, now.reapedChildrenTicks - then.reapedChildrenTicks)
            } else {
                byRole[role, default: 0] += now.ownTicks
                reapedGrowth += now.reapedChildrenTicks
            }
        }
        let gone = before.filter { after[$0.key] == nil }.map(\.value)
        let exited = max(0, reapedGrowth - gone.reduce(0) { $0 + $1.ownTicks + $1.reapedChildrenTicks })
        if exited > 0 {
            let roles = Set(gone.map { ProcessRole.name(forComm: $0.comm) })
            byRole[roles.count == 1 ? roles.first! : exitedRole, default: 0] += exited
        }
        return byRole
    }
}
