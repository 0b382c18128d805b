#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Milter
import MilterClient
import Testing

/// A subverted worker against the master, on live processes: the test-only
/// SandboxProbe handler makes a worker announce a 64 MiB message on its
/// control channel and write it. The master refuses it from its header,
/// kills and replaces that worker, does not grow, and serves the next mail.
@Suite(.serialized) struct HostileWorkerTests {
    /// Resident memory of a process, in KiB.
    static func residentKiB(_ pid: pid_t) -> Int {
        let field = DaemonFixture.status(of: pid)["VmRSS"] ?? ""
        return Int(field.split(separator: " ").first ?? "") ?? -1
    }

    static func openDescriptors(_ pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    @Test func theMasterRefusesAHugeMessageAndReplacesTheWorker() throws {
        let daemon = try DaemonFixture(handlers: #""SandboxProbe": {}, "AddID": {}"#,
                                       environment: ["AUTHMILTER_ALLOW_TEST_HANDLERS": "1"])
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        // Serve one mail first, so the master's memory has settled.
        let warmUp = try #require(MilterClientConnection(port: daemon.port))
        #expect(warmUp.deliver() != nil)
        #expect(daemon.waitFor { daemon.workers().count >= 2 })
        let memoryBefore = Self.residentKiB(daemon.pid)
        let descriptorsBefore = Self.openDescriptors(daemon.pid)
        let before = Set(daemon.workers())

        let client = try #require(MilterClientConnection(port: daemon.port))
        client.send(.optionNegotiation(version: 6, actions: .all, steps: MilterProtocolSteps(rawValue: 0x1fffff)))
        #expect(client.replies() != nil)
        client.send(.connect(hostname: "hostile-ipc.invalid", family: .inet, port: 25, address: "192.0.2.9"))
        // The master kills the worker inside the connect callback.
        #expect(client.replies() == nil)
        #expect(daemon.waitFor { daemon.log.contains("broke the worker to master protocol") }, "log:\n\(daemon.log)")
        let line = daemon.log.split(separator: "\n").first { $0.contains("broke the worker to master protocol") } ?? ""
        #expect(line.contains("done message announcing 67108864 bytes (limit 0)"), "\(line)")
        #expect(line.contains("killing and replacing it"), "\(line)")
        #expect(daemon.isAlive())
        #expect(daemon.waitFor { daemon.workers().count >= 2 && !Set(daemon.workers()).isSubset(of: before) })

        // Not a byte of the 64 MiB was kept (allow a little allocator noise).
        let memoryAfter = Self.residentKiB(daemon.pid)
        #expect(memoryBefore > 0 && memoryAfter - memoryBefore < 8 * 1024, "VmRSS \(memoryBefore) KiB -> \(memoryAfter) KiB")
        let next = try #require(MilterClientConnection(port: daemon.port))
        let replies = try #require(next.deliver())
        #expect(replies.contains { if case .addHeader(let name, _) = $0 { return name == "X-Authentication-Milter" }; return false })
        // Nothing kept from the hostile worker. The pool may have grown by
        // then (spare workers), and each worker holds three of the master's
        // descriptors: its control channel, its log pipe and the kept end of
        // its spool channel.
        let descriptorsPerWorker = 3
        #expect(daemon.waitFor {
            Self.openDescriptors(daemon.pid)
                <= descriptorsBefore + descriptorsPerWorker * max(0, daemon.workers().count - before.count)
        }, "descriptors \(descriptorsBefore) -> \(Self.openDescriptors(daemon.pid)), workers \(before.count) -> \(daemon.workers().count)")
    }
}
