#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Milter
import MilterClient
import TestSupport
import Testing

/// Workers retiring and starting while MTA connections arrive. The master
/// closes an exited worker's channel and log pipe; the kernel then hands
/// the same descriptor numbers to the next accepted connection. Before the
/// fix the master still read the exited worker's (stale) descriptors in
/// the same loop round, so it read an MTA's option negotiation as a
/// broken worker message ("unknown message kind 79", killing a worker)
/// and the worker that got that connection saw it cut ("unknown milter
/// command 0x00"): a few messages in a few thousand failed.
@Suite(.serialized) struct WorkerTurnoverTests {
    @Test func noConnectionIsLostWhileWorkersComeAndGo() throws {
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#, extra: """
            "min_children": 2, "max_children": 4, "min_spare_children": 1, "max_spare_children": 2,
            "max_requests_per_child": 2, "listen_backlog": 256,
            """)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        let port = daemon.port
        let failures = LockedBox<[String]>([])
        let threads = 4
        let perThread = 150
        let done = DispatchGroup()
        for thread in 0..<threads {
            done.enter()
            Thread {
                defer { done.leave() }
                for index in 0..<perThread {
                    guard let client = MilterClientConnection(port: port) else {
                        failures.set(failures.get() + ["\(thread)/\(index): connect"])
                        continue
                    }
                    let replies = client.deliver()
                    if replies?.last != .continue {
                        failures.set(failures.get() + ["\(thread)/\(index): no end-of-message reply"])
                    }
                }
            }.start()
        }
        #expect(done.wait(timeout: .now() + 120) == .success)
        #expect(failures.get().isEmpty, "\(failures.get().count) of \(threads * perThread) failed: \(failures.get().prefix(5)); log:\n\(daemon.log.suffix(4000))")
        #expect(!daemon.log.contains("broke the worker to master protocol"), "log:\n\(daemon.log.suffix(4000))")
        #expect(!daemon.log.contains("malformed milter packet"), "log:\n\(daemon.log.suffix(4000))")
        #expect(daemon.isAlive())
    }
}
