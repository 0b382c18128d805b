#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Milter
import MilterClient
import Testing

/// Jailed children survive what an operator or the kernel does to a
/// process from outside: SIGSTOP/SIGCONT (Ctrl-Z, a supervisor), a cgroup
/// freeze and thaw, a debugger attach. The kernel resumes a wait that was
/// interrupted (poll with a timeout, nanosleep, futex) through
/// restart_syscall; a filter without it killed every child with SIGSYS.
@Suite(.serialized) struct StopContinueTests {
    /// Waits until every child is under its filter, so the stop hits a
    /// jailed process.
    private func jailedChildren(_ daemon: DaemonFixture) -> [(pid: pid_t, name: String)] {
        _ = daemon.waitFor { daemon.workers().count >= 2 && daemon.children().count >= 4 }
        let children = daemon.children()
        for child in children {
            _ = daemon.waitFor { DaemonFixture.status(of: child.pid)["Seccomp"] == "2" }
        }
        return children
    }

    private func expectAlive(_ children: [(pid: pid_t, name: String)], _ daemon: DaemonFixture) {
        // A SIGSYS death shows within milliseconds of the resume; give the
        // master time to notice and log it.
        usleep(1_500_000)
        let now = Set(daemon.children().map(\.pid))
        for child in children {
            #expect(now.contains(child.pid), "\(child.name) (\(child.pid)) died; log:\n\(daemon.log)")
        }
        #expect(!daemon.log.contains("SIGSYS"), "log:\n\(daemon.log)")
    }

    @Test func idleChildrenSurviveStopAndContinue() throws {
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#)
        let children = jailedChildren(daemon)
        #expect(children.contains { $0.name.hasPrefix("authmilter-dns") })
        #expect(children.contains { $0.name.hasPrefix("authmilter-spoo") })
        // Let every child settle into its wait first.
        usleep(300_000)
        for child in children { kill(child.pid, SIGSTOP) }
        usleep(1_000_000)
        for child in children { kill(child.pid, SIGCONT) }
        expectAlive(children, daemon)
        let client = try #require(MilterClientConnection(port: daemon.port))
        #expect(client.deliver() != nil, "no reply after the stop; log:\n\(daemon.log)")
    }

    @Test func aWorkerStoppedInsideAMessageFinishesIt() throws {
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#)
        let children = jailedChildren(daemon)
        let client = try #require(MilterClientConnection(port: daemon.port))
        // Every step but the no-reply bits of connect, HELO, MAIL and RCPT
        // (0xF000), so that each of those commands is answered.
        client.send(.optionNegotiation(version: 6, actions: .all, steps: MilterProtocolSteps(rawValue: 0x1f_0fff)))
        #expect(client.replies() != nil)
        client.send(.connect(hostname: "client.example.org", family: .inet, port: 25, address: "192.0.2.1"))
        #expect(client.replies() != nil)
        client.send(.helo("client.example.org"))
        #expect(client.replies() != nil)
        // The worker holding the connection now waits in poll() for the
        // next command, with the connection's timeout.
        usleep(300_000)
        let workers = children.filter { $0.name.hasPrefix("authmilter-work") }
        for worker in workers { kill(worker.pid, SIGSTOP) }
        usleep(1_000_000)
        for worker in workers { kill(worker.pid, SIGCONT) }
        expectAlive(workers, daemon)
        client.send(.mailFrom(["<sender@example.com>"]))
        #expect(client.replies() != nil, "the connection was cut; log:\n\(daemon.log)")
    }

    /// The cgroup v1 freezer, where this machine has it (it has here and in
    /// CI: both run as root with /sys/fs/cgroup/freezer).
    @Test func childrenSurviveAFreezeAndThaw() throws {
        let freezer = "/sys/fs/cgroup/freezer"
        guard FileManager.default.isWritableFile(atPath: freezer + "/tasks") else {
            try Test.cancel("no writable cgroup v1 freezer at \(freezer): a freeze cannot be shown here")
        }
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#)
        let children = jailedChildren(daemon)
        usleep(300_000)
        let group = freezer + "/authmilter-test-\(getpid())"
        try FileManager.default.createDirectory(atPath: group, withIntermediateDirectories: false)
        defer {
            try? "THAWED".write(toFile: group + "/freezer.state", atomically: false, encoding: .utf8)
            for child in children { try? "\(child.pid)".write(toFile: freezer + "/tasks", atomically: false, encoding: .utf8) }
            rmdir(group)
        }
        for child in children { try "\(child.pid)".write(toFile: group + "/tasks", atomically: false, encoding: .utf8) }
        try "FROZEN".write(toFile: group + "/freezer.state", atomically: false, encoding: .utf8)
        #expect(daemon.waitFor(5) {
            ((try? String(contentsOfFile: group + "/freezer.state", encoding: .utf8)) ?? "").hasPrefix("FROZEN")
        })
        usleep(1_000_000)
        try "THAWED".write(toFile: group + "/freezer.state", atomically: false, encoding: .utf8)
        expectAlive(children, daemon)
    }
}
