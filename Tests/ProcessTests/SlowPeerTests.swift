#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Milter
import MilterClient
import Testing

/// A peer that trickles bytes is cut once a packet has taken longer than
/// the packet limit (command_timeout, at least 2 s), however often bytes
/// arrive; the worker then serves the next connection. Before, each read
/// got a fresh 330 s, so one byte now and then held a worker for ever.
@Suite(.serialized) struct SlowPeerTests {
    /// True when the daemon has closed `fd` (end of stream or reset),
    /// without waiting.
    private static func closedByPeer(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) <= 0
    }

    @Test func aTricklingPacketIsCutAtItsDeadlineAndTheWorkerServesTheNextConnection() throws {
        // One worker, so the next connection can only be served by the
        // same process, freed by the cut.
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#, extra: """
            "min_children": 1, "max_children": 1, "min_spare_children": 1, "max_spare_children": 1,
            "command_timeout": 2,
            """)
        #expect(daemon.waitFor { daemon.workers().count == 1 }, "log:\n\(daemon.log)")
        let slow = try #require(MilterClientConnection(port: daemon.port))
        #expect(slow.negotiate(), "log:\n\(daemon.log)")
        let worker = daemon.workers()

        // A HELO packet of 1,000 bytes, one byte every 0.3 s: it would
        // take five minutes; the packet limit is 2 s from its first byte.
        let packet = MilterCommand.helo(String(repeating: "h", count: 994)).encoded()
        let started = Date()
        var closedAfter: Double?
        for byte in packet where Date().timeIntervalSince(started) < 10 {
            if Self.closedByPeer(slow.fd) {
                closedAfter = Date().timeIntervalSince(started)
                break
            }
            slow.sendRaw([byte])
            usleep(300_000)
        }
        let cut = try #require(closedAfter, "still open after 10 s of trickling; log:\n\(daemon.log)")
        #expect(cut >= 1.9 && cut < 4, "cut after \(cut)s for a 2 s packet limit")
        #expect(daemon.waitFor { daemon.log.contains("incomplete after 2.0s") }, "log:\n\(daemon.log)")

        // The same worker (not killed, not replaced) serves the next one.
        let next = try #require(MilterClientConnection(port: daemon.port))
        #expect(next.deliver()?.last == .continue, "log:\n\(daemon.log)")
        #expect(daemon.workers() == worker)
    }

    /// A packet begun and then silence: the worker reads without polling
    /// first while the deadline is far (the master's SO_RCVTIMEO bounds
    /// each read), so the silent peer must still be cut at its 2 s.
    @Test func aPacketBegunThenSilentIsCutAtItsDeadline() throws {
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#, extra: """
            "min_children": 1, "max_children": 1, "min_spare_children": 1, "max_spare_children": 1,
            "command_timeout": 2,
            """)
        #expect(daemon.waitFor { daemon.workers().count == 1 }, "log:\n\(daemon.log)")
        let silent = try #require(MilterClientConnection(port: daemon.port), "log:\n\(daemon.log)")
        #expect(silent.negotiate(), "log:\n\(daemon.log)")
        let packet = MilterCommand.helo("mail.example.org").encoded()
        let started = Date()
        silent.sendRaw(Array(packet.prefix(6)))
        var closedAfter: Double?
        while Date().timeIntervalSince(started) < 10 {
            if Self.closedByPeer(silent.fd) {
                closedAfter = Date().timeIntervalSince(started)
                break
            }
            usleep(50_000)
        }
        let cut = try #require(closedAfter, "still open after 10 s of silence; log:\n\(daemon.log)")
        #expect(cut >= 1.9 && cut < 3, "cut after \(cut)s for a 2 s packet limit")
        #expect(daemon.waitFor { daemon.log.contains("incomplete after 2.0s") }, "log:\n\(daemon.log)")
    }
}
