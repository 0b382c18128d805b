#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Milter
import MilterClient
import Testing

/// The sandbox, shown on live processes: workers run under seccomp with no
/// capabilities, and a forbidden system call kills only that worker.
@Suite(.serialized) struct SandboxTests {
    @Test func liveWorkerIsJailed() throws {
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "no workers started; log:\n\(daemon.log)")
        let children = daemon.children().map(\.name)
        #expect(children.contains { $0.hasPrefix("authmilter-dns") }, "no DNS helper among \(children)")
        #expect(children.contains { $0.hasPrefix("authmilter-spoo") }, "no spool among \(children)")
        for worker in daemon.workers() {
            // Jailed only after reading its configuration: wait for it.
            #expect(daemon.waitFor { DaemonFixture.status(of: worker)["Seccomp"] == "2" })
            let status = DaemonFixture.status(of: worker)
            #expect(status["Seccomp"] == "2")
            #expect(status["NoNewPrivs"] == "1")
            #expect(status["CapEff"] == "0000000000000000")
            #expect(status["CapPrm"] == "0000000000000000")
        }
        for helper in daemon.children() where !helper.name.hasPrefix("authmilter-work") {
            #expect(daemon.waitFor { DaemonFixture.status(of: helper.pid)["Seccomp"] == "2" }, "\(helper.name) not under seccomp")
            #expect(DaemonFixture.status(of: helper.pid)["NoNewPrivs"] == "1")
        }
    }

    @Test func forbiddenSyscallKillsTheWorkerAndTheMasterReplacesIt() throws {
        let daemon = try DaemonFixture(handlers: #""SandboxProbe": {}, "AddID": {}"#,
                                       environment: ["AUTHMILTER_ALLOW_TEST_HANDLERS": "1"])
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        let before = Set(daemon.workers())
        let client = try #require(MilterClientConnection(port: daemon.port))
        client.send(.optionNegotiation(version: 6, actions: .all, steps: MilterProtocolSteps(rawValue: 0x1fffff)))
        #expect(client.replies() != nil)
        client.send(.connect(hostname: "seccomp-probe.invalid", family: .inet, port: 25, address: "192.0.2.9"))
        // The worker dies inside the connect callback: no reply, closed.
        #expect(client.replies() == nil)
        #expect(daemon.waitFor { daemon.log.contains("killed by SIGSYS (seccomp violation") }, "log:\n\(daemon.log)")
        // The log names the call that was refused.
        #expect(daemon.log.contains("seccomp: forbidden system call 83 (mkdir)"), "log:\n\(daemon.log)")
        #expect(daemon.isAlive())
        // Replaced: the pool is back to its minimum with a new pid.
        #expect(daemon.waitFor { daemon.workers().count >= 2 && !Set(daemon.workers()).isSubset(of: before) })
        // And the replacement serves mail.
        let next = try #require(MilterClientConnection(port: daemon.port))
        let replies = try #require(next.deliver())
        #expect(replies.contains { if case .addHeader(let name, _) = $0 { return name == "X-Authentication-Milter" }; return false })
    }

    @Test func testOnlyHandlerIsRefusedWithoutTheEnvironmentSwitch() throws {
        let daemon = try DaemonFixture(handlers: #""SandboxProbe": {}"#)
        #expect(daemon.waitFor { !daemon.isAlive() }, "master started with a test-only handler")
        #expect(daemon.log.contains("test-only handler"))
    }
}
