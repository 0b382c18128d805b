@testable import IPC
import Testing

@Suite struct SpoolPendingRowsTests {
    static func frame(_ n: UInt8, size: Int = 10) -> [UInt8] { [UInt8](repeating: n, count: size) }

    /// `add` outside #expect, which cannot take a mutating call.
    static func add(_ rows: inout SpoolPendingRows, _ id: String, _ frame: [UInt8]) -> Bool {
        rows.add(id: id, frame: frame)
    }

    /// Sends everything that is unsent, returning the frames in order.
    static func sendAll(_ rows: inout SpoolPendingRows) -> [[UInt8]] {
        var sent: [[UInt8]] = []
        while let next = rows.nextUnsent {
            sent.append(next)
            rows.markNextSent()
        }
        return sent
    }

    @Test func rowsAreSentInOrderAndKeptUntilAcknowledged() {
        var rows = SpoolPendingRows(maximumBytes: 1000)
        for n: UInt8 in 1...3 { #expect(Self.add(&rows, "r\(n)", Self.frame(n))) }
        #expect(Self.sendAll(&rows) == [Self.frame(1), Self.frame(2), Self.frame(3)])
        #expect(rows.count == 3 && rows.unsentCount == 0)
        let first = rows.acknowledge(["r2"])
        #expect(first == 1)
        #expect(rows.count == 2 && rows.sentCount == 2 && rows.bytes == 20)
        let second = rows.acknowledge(["r1", "r3", "unknown"])
        #expect(second == 2)
        #expect(rows.isEmpty && rows.bytes == 0 && rows.sentCount == 0)
    }

    @Test func aNewSpoolGetsEveryUnacknowledgedRowAgainOldestFirst() {
        var rows = SpoolPendingRows(maximumBytes: 1000)
        for n: UInt8 in 1...4 { #expect(Self.add(&rows, "r\(n)", Self.frame(n))) }
        // Two went out, one of them acknowledged; two never went out.
        rows.markNextSent()
        rows.markNextSent()
        rows.acknowledge(["r1"])
        #expect(rows.sentCount == 1 && rows.unsentCount == 2)
        rows.resendAll()
        #expect(rows.nextUnsent == Self.frame(2))
        let secondTime = rows.markNextSent()
        let firstTime = rows.markNextSent()
        #expect(secondTime, "r2 goes out a second time")
        #expect(!firstTime, "r3 goes out for the first time")
        #expect(Self.sendAll(&rows) == [Self.frame(4)])
    }

    @Test func anAcknowledgementOfAnUnsentRowKeepsTheOrder() {
        // A row sent to a dead spool, acknowledged by the next one before
        // the worker resends it (it was still queued in the channel).
        var rows = SpoolPendingRows(maximumBytes: 1000)
        for n: UInt8 in 1...3 { #expect(Self.add(&rows, "r\(n)", Self.frame(n))) }
        rows.markNextSent()
        rows.markNextSent()
        rows.resendAll()
        rows.acknowledge(["r2"])
        #expect(Self.sendAll(&rows) == [Self.frame(1), Self.frame(3)])
    }

    @Test func theCapCountsUnacknowledgedRowsAndFreesOnAcknowledgement() {
        var rows = SpoolPendingRows(maximumBytes: 25)
        #expect(Self.add(&rows, "a", Self.frame(1)))
        #expect(Self.add(&rows, "b", Self.frame(2)))
        // Sent but not acknowledged still counts.
        _ = Self.sendAll(&rows)
        #expect(!Self.add(&rows, "c", Self.frame(3)))
        #expect(rows.count == 2)
        rows.acknowledge(["a"])
        #expect(Self.add(&rows, "c", Self.frame(3)))
        #expect(rows.bytes == 20)
    }
}
