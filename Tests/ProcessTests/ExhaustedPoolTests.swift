#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Milter
import MilterClient
import Testing

/// With every worker busy the master answers at once: a connection waits
/// in a short bounded queue and goes to the next free worker, and what
/// cannot wait (queue full, or waited connection_queue_timeout) is closed,
/// so the MTA applies its milter_default_action at once. Before, the
/// master accepted only while a worker was idle and the MTA heard nothing
/// until its own milter timeout.
@Suite(.serialized) struct ExhaustedPoolTests {
    /// A client past option negotiation, i.e. holding a worker. Workers
    /// still starting up are waited for.
    private func negotiatedClient(_ daemon: DaemonFixture) -> MilterClientConnection? {
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if let client = MilterClientConnection(port: daemon.port), client.negotiate() { return client }
            usleep(250_000)
        }
        return nil
    }

    @Test func aFullPoolQueuesBrieflyThenClosesAndServesTheQueueFirst() throws {
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#, extra: """
            "min_children": 2, "max_children": 2, "min_spare_children": 1, "max_spare_children": 2,
            "connection_queue_size": 1, "connection_queue_timeout": 1.5,
            """)
        let first = try #require(negotiatedClient(daemon), "log:\n\(daemon.log)")
        let second = try #require(negotiatedClient(daemon), "log:\n\(daemon.log)")

        // Both workers are busy: this one waits in the queue...
        let queued = try #require(MilterClientConnection(port: daemon.port))
        queued.sendOptionNegotiation()
        usleep(300_000)
        // ...and with the queue full this one is closed at once.
        let refused = try #require(MilterClientConnection(port: daemon.port))
        refused.sendOptionNegotiation()
        var started = Date()
        #expect(refused.isClosedByPeer())
        let refusedAfter = Date().timeIntervalSince(started)
        try #require(refusedAfter < 1, "closed after \(refusedAfter)s; log:\n\(daemon.log)")

        // A worker frees: the waiting connection is served, and finishes a message.
        first.hangUp()
        #expect(queued.replies() != nil, "the queued connection was not served; log:\n\(daemon.log)")
        #expect(queued.deliverAfterNegotiation()?.last == .continue)
        queued.hangUp()

        // Both workers busy again (second and third).
        let third = try #require(negotiatedClient(daemon))
        // Now nothing frees: a waiting connection is closed after its 1.5 s.
        let timedOut = try #require(MilterClientConnection(port: daemon.port))
        timedOut.sendOptionNegotiation()
        started = Date()
        #expect(timedOut.isClosedByPeer())
        let timedOutAfter = Date().timeIntervalSince(started)
        #expect(timedOutAfter > 1 && timedOutAfter < 4, "closed after \(timedOutAfter)s; log:\n\(daemon.log)")

        // The log counts it all (the first line at once, the next within 10 s).
        #expect(daemon.waitFor(15) { daemon.log.contains("closed unanswered (1 with the wait queue full, 1 after waiting 1.5s)") },
                "log:\n\(daemon.log)")
        #expect(daemon.isAlive())
        withExtendedLifetime((second, third)) {}
    }

    /// The sum of "N with the wait queue full" over the master's lines.
    static func closedWithQueueFull(in log: String) -> Int {
        log.split(separator: "\n").reduce(0) { sum, line in
            guard let range = line.range(of: " with the wait queue full") else { return sum }
            let count = line[..<range.lowerBound].reversed().prefix { $0.isNumber }.reversed()
            return sum + (Int(String(count)) ?? 0)
        }
    }

    @Test func withoutAQueueEveryConnectionNoWorkerCanTakeIsClosedAtOnce() throws {
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#, extra: """
            "min_children": 1, "max_children": 1, "min_spare_children": 1, "max_spare_children": 1,
            "connection_queue_size": 0,
            """)
        let busy = try #require(negotiatedClient(daemon), "log:\n\(daemon.log)")
        for attempt in 0..<20 {
            let client = try #require(MilterClientConnection(port: daemon.port))
            client.sendOptionNegotiation()
            let started = Date()
            #expect(client.isClosedByPeer())
            let closedAfter = Date().timeIntervalSince(started)
            try #require(closedAfter < 1, "connection \(attempt) closed after \(closedAfter)s; log:\n\(daemon.log)")
        }
        // One line at once, the rest of the count within 10 s.
        #expect(daemon.waitFor(15) { Self.closedWithQueueFull(in: daemon.log) == 20 }, "log:\n\(daemon.log)")
        withExtendedLifetime(busy) {}
    }
}
