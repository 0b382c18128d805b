import Testing

@testable import Milter

/// How long a worker waits for the MTA: the idle limit over the whole
/// wait for a command, a shorter one once a packet has begun.
@Suite struct MilterReadDeadlineTests {
    @Test func silenceGetsTheIdleLimit() {
        let deadline = MilterReadDeadline(idleSeconds: 330, packetSeconds: 30, now: 0)
        #expect(deadline.expired(now: 329.9) == nil)
        #expect(deadline.expired(now: 330) == .idle)
        #expect(deadline.pollMilliseconds(now: 30) == 300_000)
    }

    @Test func aStartedPacketMustFinishWithinThePacketLimitWhateverTrickles() {
        var deadline = MilterReadDeadline(idleSeconds: 330, packetSeconds: 2, now: 0)
        // One byte a second: each read leaves an unfinished packet; the
        // clock keeps running from its first byte.
        for second in 10..<12 {
            deadline.received(bufferedBytes: second - 9, now: Double(second))
            #expect(deadline.expired(now: Double(second)) == nil)
        }
        #expect(deadline.expired(now: 11.9) == nil)
        #expect(deadline.expired(now: 12) == .packet)
    }

    @Test func theIdleLimitCountsFromTheLastCommandNotTheLastRead() {
        var deadline = MilterReadDeadline(idleSeconds: 10, packetSeconds: 5, now: 0)
        // A packet begun at 8 s would have until 13 s, but the command
        // has been awaited since 0 s: the idle limit (10 s) comes first.
        deadline.received(bufferedBytes: 3, now: 8)
        #expect(deadline.deadline == 10)
        #expect(deadline.expired(now: 10) == .idle)
    }

    @Test func aCompletedCommandRestartsBothClocks() {
        var deadline = MilterReadDeadline(idleSeconds: 10, packetSeconds: 2, now: 0)
        deadline.received(bufferedBytes: 3, now: 1)
        deadline.commandCompleted(now: 2)
        deadline.received(bufferedBytes: 0, now: 2)
        #expect(deadline.deadline == 12)
        // The rest of a read after a complete packet begins a new one now.
        deadline.commandCompleted(now: 5)
        deadline.received(bufferedBytes: 4, now: 5)
        #expect(deadline.deadline == 7)
        #expect(deadline.expired(now: 7) == .packet)
    }

    @Test func limitsFromTheConfiguration() {
        #expect(MilterReadDeadline.packetSeconds(commandTimeout: nil) == 30)
        #expect(MilterReadDeadline.packetSeconds(commandTimeout: 0.5) == 2)
        #expect(MilterReadDeadline.packetSeconds(commandTimeout: 5) == 5)
        #expect(MilterReadDeadline.packetSeconds(commandTimeout: 300) == 30)
        #expect(MilterReadDeadline.idleSeconds(connectTimeout: nil, commandTimeout: nil, contentTimeout: nil) == 330)
        #expect(MilterReadDeadline.idleSeconds(connectTimeout: 30, commandTimeout: 30, contentTimeout: 600) == 630)
    }
}

extension MilterReadDeadlineTests {
    /// A blocking read is bounded by the receive timeout the master sets;
    /// it may be used only while that bound ends before the deadline.
    @Test func aBlockingReadIsUsedOnlyFarFromTheDeadline() {
        var deadline = MilterReadDeadline(idleSeconds: 330, packetSeconds: 2, now: 0)
        #expect(deadline.blockingReadFits(now: 0))
        #expect(deadline.blockingReadFits(now: 328.8))
        #expect(!deadline.blockingReadFits(now: 329))
        // A packet has begun: 2 s from its first byte.
        deadline.received(bufferedBytes: 3, now: 10)
        #expect(deadline.blockingReadFits(now: 10.8))
        #expect(!deadline.blockingReadFits(now: 11))
        #expect(deadline.pollMilliseconds(now: 11) == 1000)
    }
}
