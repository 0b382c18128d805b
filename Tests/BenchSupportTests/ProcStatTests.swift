import Testing

@testable import BenchSupport

/// `/proc/<pid>/stat` lines, with the command names that break a naive
/// split.
@Suite struct ProcStatTests {
    static let fields = "S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 30 12 20 0 1 0 12345 36864000 2100 18446744073709551615"

    @Test func readsTheCPUFields() throws {
        let stat = try #require(ProcStat.parse("4243 (authmilter-work) " + Self.fields + "\n"))
        #expect(stat.pid == 4243 && stat.comm == "authmilter-work" && stat.state == "S" && stat.ppid == 1)
        #expect(stat.utime == 250 && stat.stime == 75 && stat.cutime == 30 && stat.cstime == 12)
        #expect(stat.ownTicks == 325 && stat.reapedChildrenTicks == 42)
    }

    @Test func commWithSpacesAndParentheses() throws {
        let stat = try #require(ProcStat.parse("77 (a) b (c) d) " + Self.fields))
        #expect(stat.comm == "a) b (c) d")
        #expect(stat.ppid == 1 && stat.utime == 250 && stat.cstime == 12)
        let empty = try #require(ProcStat.parse("78 () " + Self.fields))
        #expect(empty.comm.isEmpty && empty.stime == 75)
        let spaces = try #require(ProcStat.parse("79 (  ) " + Self.fields))
        #expect(spaces.comm == "  " && spaces.utime == 250)
    }

    @Test func refusesWhatIsNotAStatLine() {
        #expect(ProcStat.parse("") == nil)
        #expect(ProcStat.parse("12 authmilter-work S 1") == nil, "no parentheses")
        #expect(ProcStat.parse("12 (x) S 1 2 3") == nil, "too few fields")
        #expect(ProcStat.parse("x (y) " + Self.fields) == nil, "no pid")
        #expect(ProcStat.parse("12 (y) S one 4242 4242 0 -1 0 0 0 0 0 1 2 3 4 20") == nil, "ppid not a number")
    }
}
