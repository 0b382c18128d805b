#if canImport(Glibc)
import Glibc
#endif
import SystemIO
import Testing

/// The event-loop helper of the BIMI fetch helper and the scanner: the
/// ready descriptors come back with what they stand for, in watch order.
@Suite struct PollSetTests {
    enum Target: Equatable { case first, second }

    @Test func readyDescriptorsComeBackWithTheirTargets() throws {
        var one: [Int32] = [0, 0]
        var two: [Int32] = [0, 0]
        try #require(pipe(&one) == 0 && pipe(&two) == 0)
        defer { for fd in one + two { close(fd) } }
        var set = PollSet<Target>()
        set.watch(one[0], events: Int16(POLLIN), as: .first)
        set.watch(two[0], events: Int16(POLLIN), as: .second)
        #expect(set.count == 2)
        // Nothing written: the time runs out.
        #expect(try set.wait(timeoutMilliseconds: 10).isEmpty)
        var byte: UInt8 = 1
        #expect(write(two[1], &byte, 1) == 1)
        let ready = try set.wait(timeoutMilliseconds: 1000)
        #expect(ready.map(\.target) == [.second])
        #expect(ready.first.map { $0.revents & Int16(POLLIN) != 0 } == true)
        #expect(write(one[1], &byte, 1) == 1)
        #expect(try set.wait(timeoutMilliseconds: 1000).map(\.target) == [.first, .second])
        set.removeAll()
        #expect(set.count == 0)
    }
}
