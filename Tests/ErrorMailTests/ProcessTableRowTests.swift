import ErrorMail
import Testing

@Suite struct ProcessTableRowTests {
    @Test func readsAStatLineWithAnAwkwardCommandName() throws {
        // comm may hold spaces and parentheses: fields count after the last ")".
        let stat = "1234 (authmilter (w) x) S 99 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 1000 104857600 512 18446744073709551615"
        let row = try #require(ProcessTableRow(stat: stat, cmdline: Array("authmilter-worker\0--ident\0e2e\0".utf8)))
        #expect(row.pid == 1234 && row.parentPID == 99)
        #expect(row.commandLine == "authmilter-worker --ident e2e")
        #expect(row.sizeKiB == 102_400 && row.rssKiB == 2048)
        #expect(row.cpuSeconds == 3 && row.startedAfterBootSeconds == 10)
        let (memory, cpu) = row.percentages(memoryKiB: 204_800, uptimeSeconds: 40)
        #expect(memory == 1 && cpu == 10)
    }

    @Test func aKernelThreadShowsItsNameAndGarbageIsRefused() {
        let stat = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 2 0 0 18446744073709551615"
        #expect(ProcessTableRow(stat: stat, cmdline: [])?.commandLine == "[kthreadd]")
        #expect(ProcessTableRow(stat: "nonsense", cmdline: []) == nil)
        #expect(ProcessTableRow(stat: "12 (x) S 1 2", cmdline: []) == nil)
    }
}
