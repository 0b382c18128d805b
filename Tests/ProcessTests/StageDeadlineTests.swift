#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Milter
import MilterClient
import Testing

/// A stage that overruns its timeout is cut while it runs, whatever the
/// handler is doing, and answered as tempfail_on_error says; the master
/// replaces the worker. Without the deadline a handler stuck on the CPU
/// held the MTA until its own milter timeout and the worker for ever.
@Suite(.serialized) struct StageDeadlineTests {
    private func daemon(tempfail: Bool) throws -> DaemonFixture {
        try DaemonFixture(handlers: #""SandboxProbe": {}, "AddID": {}"#,
                          extra: #""content_timeout": 2, "tempfail_on_error": \#(tempfail ? 1 : 0),"#,
                          environment: ["AUTHMILTER_ALLOW_TEST_HANDLERS": "1"])
    }

    @Test func aStuckEndOfMessageIsTempfailedAtItsDeadline() throws {
        let daemon = try daemon(tempfail: true)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        let before = Set(daemon.workers())
        let client = try #require(MilterClientConnection(port: daemon.port))
        let started = Date()
        let replies = client.deliver(hostname: "stage-stall.invalid")
        let elapsed = Date().timeIntervalSince(started)
        #expect(replies?.last == .tempfail,
                "replies \(String(describing: replies)); log:\n\(daemon.log)")
        #expect(elapsed < 6, "answered after \(elapsed)s for a 2 s content_timeout")
        #expect(daemon.waitFor { daemon.log.contains("eom callbacks timed out after 2.0s") }, "log:\n\(daemon.log)")
        // The cut worker is gone and replaced; the next mail is served.
        #expect(daemon.waitFor { daemon.workers().count >= 2 && !Set(daemon.workers()).isSubset(of: before) })
        let next = try #require(MilterClientConnection(port: daemon.port))
        let served = try #require(next.deliver())
        #expect(served.contains { if case .addHeader(let name, _) = $0 { return name == "X-Authentication-Milter" }; return false })
    }

    @Test func withoutTempfailOnErrorTheMessageIsAccepted() throws {
        let daemon = try daemon(tempfail: false)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        let client = try #require(MilterClientConnection(port: daemon.port))
        let replies = client.deliver(hostname: "stage-stall.invalid")
        #expect(replies?.last == .accept, "replies \(String(describing: replies)); log:\n\(daemon.log)")
        #expect(daemon.waitFor { daemon.log.contains("eom callbacks timed out") && daemon.log.contains("accepted, worker exits") })
    }

    /// Stages end without stopping the timer (issue 12: one setitimer for
    /// a message's headers and body, not three system calls a header); a
    /// timer left running from a finished message must not cut the idle
    /// worker or the next message.
    @Test func aTimerLeftFromAFinishedMessageCutsNothing() throws {
        let daemon = try daemon(tempfail: true)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        let before = Set(daemon.workers())
        let first = try #require(MilterClientConnection(port: daemon.port))
        #expect(first.deliver()?.last == .continue, "log:\n\(daemon.log)")
        // Past the 2 s content_timeout armed for that message's stages.
        usleep(3_000_000)
        // None of them died (the pool may have added a spare).
        #expect(before.isSubset(of: Set(daemon.workers())), "a worker was replaced; log:\n\(daemon.log)")
        #expect(!daemon.log.contains("timed out"), "log:\n\(daemon.log)")
        let second = try #require(MilterClientConnection(port: daemon.port))
        #expect(second.deliver()?.last == .continue, "log:\n\(daemon.log)")
        #expect(before.isSubset(of: Set(daemon.workers())))
    }

    /// The timer armed at connect (1 s) is still running when end of
    /// message starts (2 s limit, shared timer, issue 12); it fires during
    /// a 1.5 s end of message, which has not reached its own deadline: the
    /// timer is set again for the rest, and the message passes.
    @Test func aShorterStagesTimerDoesNotCutALongerStageEarly() throws {
        let daemon = try DaemonFixture(handlers: #""SandboxProbe": {}, "AddID": {}"#,
                                       extra: #""connect_timeout": 1, "command_timeout": 2, "content_timeout": 2, "tempfail_on_error": 1,"#,
                                       environment: ["AUTHMILTER_ALLOW_TEST_HANDLERS": "1"])
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        let client = try #require(MilterClientConnection(port: daemon.port))
        let replies = client.deliver(hostname: "stage-slow.invalid")
        #expect(replies?.last == .continue, "replies \(String(describing: replies)); log:\n\(daemon.log)")
        #expect(!daemon.log.contains("timed out"), "log:\n\(daemon.log)")
    }
}
