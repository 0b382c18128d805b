import Testing

@testable import BenchSupport

/// CPU by role between two snapshots of a process tree.
@Suite struct RoleCPUTests {
    func stat(_ pid: Int32, _ comm: String, parent: Int32, own: Int64, reaped: Int64 = 0) -> ProcStat {
        ProcStat(pid: pid, comm: comm, ppid: parent, utime: own, stime: 0, cutime: reaped, cstime: 0)
    }

    @Test func treeHoldsTheRootsAndTheirDescendantsOnly() {
        let all = [stat(1, "init", parent: 0, own: 5), stat(10, "authmilter-main", parent: 1, own: 1),
                   stat(11, "authmilter-work", parent: 10, own: 2), stat(12, "helper", parent: 11, own: 3),
                   stat(20, "opendkim", parent: 1, own: 4), stat(30, "unrelated", parent: 1, own: 9)]
        #expect(Set(RoleCPU.tree(roots: [10], in: all).keys) == [10, 11, 12])
        #expect(Set(RoleCPU.tree(roots: [10, 20], in: all).keys) == [10, 11, 12, 20])
        #expect(RoleCPU.tree(roots: [99], in: all).isEmpty)
    }

    @Test func rolesFromComm() {
        #expect(ProcessRole.name(forComm: "authmilter-main") == "master")
        #expect(ProcessRole.name(forComm: "authmilter-work") == "worker")
        #expect(ProcessRole.name(forComm: "authmilter-dns") == "dns")
        #expect(ProcessRole.name(forComm: "authmilter-spoo") == "spool")
        #expect(ProcessRole.name(forComm: "authmilter-benc") == "client")
        #expect(ProcessRole.name(forComm: "opendkim") == "opendkim")
        #expect(ProcessRole.sorted(["opendmarc", "worker", "master", "dns", "exited"]) == ["master", "worker", "dns", "exited", "opendmarc"])
    }

    @Test func survivorsCountTheirDifferenceNewcomersAll() {
        let before: [Int32: ProcStat] = [10: stat(10, "authmilter-main", parent: 1, own: 100), 11: stat(11, "authmilter-work", parent: 10, own: 50)]
        let after: [Int32: ProcStat] = [10: stat(10, "authmilter-main", parent: 1, own: 104), 11: stat(11, "authmilter-work", parent: 10, own: 80),
                     12: stat(12, "authmilter-work", parent: 10, own: 7)]
        #expect(RoleCPU.ticks(before: before, after: after) == ["master": 4, "worker": 37])
    }

    @Test func anExitedWorkerIsCountedThroughItsParent() {
        // Worker 11 used 50 ticks before the run and 20 during it, then
        // exited; the master reaped it (cutime 0 -> 70).
        let before: [Int32: ProcStat] = [10: stat(10, "authmilter-main", parent: 1, own: 100), 11: stat(11, "authmilter-work", parent: 10, own: 50),
                      12: stat(12, "authmilter-dns", parent: 10, own: 5)]
        let after: [Int32: ProcStat] = [10: stat(10, "authmilter-main", parent: 1, own: 101, reaped: 70), 12: stat(12, "authmilter-dns", parent: 10, own: 6),
                     13: stat(13, "authmilter-work", parent: 10, own: 9)]
        #expect(RoleCPU.ticks(before: before, after: after) == ["master": 1, "dns": 1, "worker": 29])
    }

    @Test func childrenBornAndReapedBetweenSnapshotsAreExited() {
        let before: [Int32: ProcStat] = [10: stat(10, "authmilter-main", parent: 1, own: 100, reaped: 40)]
        let after: [Int32: ProcStat] = [10: stat(10, "authmilter-main", parent: 1, own: 100, reaped: 55)]
        #expect(RoleCPU.ticks(before: before, after: after) == ["master": 0, RoleCPU.exitedRole: 15])
    }
}
