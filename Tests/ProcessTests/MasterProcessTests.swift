#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Milter
import MilterClient
import Testing

/// The master under bad input: malformed milter packets, killed workers,
/// an unreachable resolver, bad configuration. None may take it down.
@Suite(.serialized) struct MasterProcessTests {
    @Test func deliversAuthenticationResultsThroughAWorker() throws {
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        let client = try #require(MilterClientConnection(port: daemon.port))
        let replies = try #require(client.deliver(), "log:\n\(daemon.log)")
        let header = replies.compactMap { reply -> String? in
            if case .insertHeader(_, "Authentication-Results", let value) = reply { return value }
            return nil
        }
        #expect(header == ["mx.test.example; none"])
        #expect(replies.last == .continue)
    }

    @Test func malformedMilterInputClosesOnlyThatConnection() throws {
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        let workersBefore = Set(daemon.workers())
        let bad = try #require(MilterClientConnection(port: daemon.port))
        // A packet claiming 2 GB, then garbage.
        bad.sendRaw([0x7f, 0xff, 0xff, 0xff, UInt8(ascii: "Z"), 1, 2, 3])
        #expect(bad.isClosedByPeer())
        #expect(daemon.waitFor { daemon.log.contains("malformed milter packet") }, "log:\n\(daemon.log)")
        let unknown = try #require(MilterClientConnection(port: daemon.port))
        unknown.sendRaw([0, 0, 0, 1, UInt8(ascii: "Z")])
        #expect(unknown.isClosedByPeer())
        // Same workers (nobody crashed), and they still serve mail.
        #expect(Set(daemon.workers()) == workersBefore)
        let good = try #require(MilterClientConnection(port: daemon.port))
        #expect(good.deliver() != nil)
        #expect(daemon.isAlive())
    }

    @Test func killedWorkerIsLoggedAndReplaced() throws {
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        let victim = try #require(daemon.workers().first)
        kill(victim, SIGKILL)
        #expect(daemon.waitFor { daemon.log.contains("worker \(victim) killed by signal 9") }, "log:\n\(daemon.log)")
        #expect(daemon.waitFor { daemon.workers().count >= 2 && !daemon.workers().contains(victim) })
        #expect(daemon.isAlive())
    }

    @Test func unreachableResolverGivesATimeoutNotAHang() throws {
        // The fixture points dns_resolvers at 127.0.0.1:9 (nothing there)
        // with dns_timeout 1 and no retry.
        let daemon = try DaemonFixture(handlers: #""ReturnOK": {}"#)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        let client = try #require(MilterClientConnection(port: daemon.port))
        let started = Date()
        let replies = try #require(client.deliver(), "log:\n\(daemon.log)")
        #expect(Date().timeIntervalSince(started) < 20)
        let header = replies.compactMap { reply -> String? in
            if case .insertHeader(_, "Authentication-Results", let value) = reply { return value }
            return nil
        }.joined()
        #expect(header.contains("x-return-mx=fail"), "header: \(header)")
        #expect(header.contains("mx_error="), "header: \(header)")
        // The DNS helper says why, through the master's log.
        #expect(daemon.waitFor { daemon.log.contains("dns[") && (daemon.log.contains("timed out") || daemon.log.contains("no resolver reachable")) },
                "log:\n\(daemon.log)")
        #expect(daemon.isAlive())
    }

    @Test func malformedConfigurationIsRefusedWithPosition() throws {
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#, extra: #""min_children": {"oops": 1},"#)
        #expect(daemon.waitFor { !daemon.isAlive() })
        #expect(daemon.log.contains("authentication_milter.json:"), "log:\n\(daemon.log)")
        #expect(daemon.log.contains("min_children"), "log:\n\(daemon.log)")
    }

    @Test func sighupWithBrokenFileKeepsServing() throws {
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        let path = daemon.directory + "/authentication_milter.json"
        let good = try String(contentsOfFile: path, encoding: .utf8)
        try "{ \"connection\": ".write(toFile: path, atomically: true, encoding: .utf8)
        kill(daemon.pid, SIGHUP)
        #expect(daemon.waitFor { daemon.log.contains("reload refused") }, "log:\n\(daemon.log)")
        // Only this variable holds the client: setting it to nil closes
        // the connection below.
        var client: MilterClientConnection? = MilterClientConnection(port: daemon.port)
        try #require(client != nil)
        #expect(client?.deliver() != nil)
        // A good reload replaces the workers; the one holding the open
        // connection finishes it first (in-flight connections are not cut).
        try good.write(toFile: path, atomically: true, encoding: .utf8)
        let before = Set(daemon.workers())
        kill(daemon.pid, SIGHUP)
        #expect(daemon.waitFor { daemon.log.contains("configuration reloaded") })
        #expect(daemon.waitFor { daemon.workers().count >= 2 && Set(daemon.workers()).intersection(before).count == 1 },
                "workers \(daemon.workers()) before \(before) log:\n\(daemon.log)")
        // A second message on the held connection (AddID answers only its
        // end: the envelope went without replies).
        client?.send(.mailFrom(["<second@example.com>"]))
        client?.send(.rcptTo(["<rcpt@example.com>"]))
        client?.send(.endOfMessage([]))
        #expect(client?.replies()?.last == .continue)
        client = nil
        #expect(daemon.waitFor { Set(daemon.workers()).isDisjoint(with: before) && daemon.workers().count >= 2 },
                "workers \(daemon.workers()) before \(before) log:\n\(daemon.log)")
    }
}
