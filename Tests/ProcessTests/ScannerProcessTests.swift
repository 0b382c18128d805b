#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Milter
import MilterClient
import TestSupport
import Testing

/// The scanner process (SpamAssassin) in a live daemon: started only with
/// the handler, jailed like the other helpers, the worker's message
/// reaching a (scripted) spamd through it and the verdict coming back;
/// spamd gone gives `x-spam=temperror` and the message still goes on; a
/// killed scanner is replaced.
@Suite(.serialized) struct ScannerProcessTests {
    static let ham = ScriptedSpamd.symbolsReply(flag: "False", score: "0.5", symbols: "MSGID_SHORT,NO_RELAYS")

    static func entries(_ replies: [MilterResponse]?) -> String {
        for reply in replies ?? [] {
            if case .insertHeader(_, "Authentication-Results", let value) = reply { return value }
        }
        return ""
    }

    @Test func noScannerWithoutTheHandler() throws {
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        #expect(!daemon.children().contains { $0.name.hasPrefix("authmilter-scan") })
    }

    @Test func aMessageIsScannedThroughTheScanner() throws {
        let spamd = try ScriptedSpamd { _ in .reply(Self.ham) }
        defer { spamd.stop() }
        let daemon = try DaemonFixture(handlers: #""SpamAssassin": { "sa_host": "127.0.0.1", "sa_port": \#(spamd.port), "sa_timeout": 3 }"#)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        let scanner = try #require(daemon.children().first { $0.name.hasPrefix("authmilter-scan") }, "no scanner; log:\n\(daemon.log)")
        #expect(daemon.waitFor { DaemonFixture.status(of: scanner.pid)["Seccomp"] == "2" })
        #expect(DaemonFixture.status(of: scanner.pid)["NoNewPrivs"] == "1")
        #expect(DaemonFixture.status(of: scanner.pid)["CapEff"] == "0000000000000000")

        let client = try #require(MilterClientConnection(port: daemon.port))
        let replies = client.deliver(headers: [("From", "sender@example.com"), ("Subject", "scanned"), ("X-Spam-score", "-99")])
        #expect(replies?.contains(.insertHeader(index: 1, name: "X-Spam-Status", value: "No, score=0.50 required=5.00")) == true,
                "\(String(describing: replies))\n\(daemon.log)")
        #expect(Self.entries(replies).contains("x-spam=pass score=0.50 required=5.00"))
        #expect(replies?.contains(.changeHeader(index: 1, name: "x-spam-score", value: "")) == true)
        let request = String(decoding: try #require(spamd.requests.first), as: UTF8.self)
        #expect(request.hasPrefix("SYMBOLS SPAMC/1.5\r\nContent-length: "))
        #expect(request.contains("\r\nUser: nobody\r\n") == false, "no default_user, no User: line")
        #expect(request.contains("Subject: scanned\r\nX-Spam-score: -99\r\n\r\n"))

        // spamd gone: temperror, and the message is still accepted.
        spamd.stop()
        let after = try #require(MilterClientConnection(port: daemon.port))
        let down = after.deliver(headers: [("From", "sender@example.com"), ("Subject", "spamd down")])
        #expect(down?.last == .continue, "\(String(describing: down))")
        #expect(Self.entries(down).contains("x-spam=temperror"), "\(String(describing: down))")
        // The worker writes its lines with the queue id, at the latest when
        // the connection ends (Perl's dbgoutwrite).
        after.hangUp()
        #expect(daemon.waitFor(5) { daemon.log.contains("ERROR: SpamAssassin could not connect to server") }, "log:\n\(daemon.log)")
    }

    @Test func aKilledScannerIsReplacedAndMailFlows() throws {
        let spamd = try ScriptedSpamd { _ in .reply(Self.ham) }
        defer { spamd.stop() }
        let daemon = try DaemonFixture(handlers: #""SpamAssassin": { "sa_host": "localhost", "sa_port": "\#(spamd.port)" }"#)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        let scanner = try #require(daemon.children().first { $0.name.hasPrefix("authmilter-scan") })
        kill(scanner.pid, SIGKILL)
        Self.expectReplaced(scanner.pid, in: daemon, thenEntry: "x-spam=pass")
        #expect(daemon.log.contains("scanner \(scanner.pid) killed by signal 9"))
    }

    /// A scanner other than `old` runs, and the workers that held a channel
    /// to the old one are replaced: a message soon gets `entry`.
    static func expectReplaced(_ old: pid_t, in daemon: DaemonFixture, thenEntry entry: String) {
        #expect(daemon.waitFor { daemon.children().contains { $0.name.hasPrefix("authmilter-scan") && $0.pid != old } },
                "log:\n\(daemon.log)")
        #expect(daemon.waitFor {
            guard let client = MilterClientConnection(port: daemon.port) else { return false }
            return entries(client.deliver()).contains(entry)
        }, "log:\n\(daemon.log)")
    }

    @Test func aReloadThatMovesSpamdReplacesTheScanner() throws {
        let first = try ScriptedSpamd { _ in .reply(Self.ham) }
        defer { first.stop() }
        let second = try ScriptedSpamd { _ in .reply(ScriptedSpamd.symbolsReply(flag: "False", score: "1.5", symbols: "MOVED")) }
        defer { second.stop() }
        let daemon = try DaemonFixture(handlers: #""SpamAssassin": { "sa_host": "127.0.0.1", "sa_port": \#(first.port) }"#)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        let old = try #require(daemon.children().first { $0.name.hasPrefix("authmilter-scan") })
        let path = daemon.directory + "/authentication_milter.json"
        let config = try String(contentsOfFile: path, encoding: .utf8)
        try config.replacingOccurrences(of: "\"sa_port\": \(first.port)", with: "\"sa_port\": \(second.port)")
            .write(toFile: path, atomically: true, encoding: .utf8)
        kill(daemon.pid, SIGHUP)
        Self.expectReplaced(old.pid, in: daemon, thenEntry: "x-spam=pass score=1.50 required=5.00")
        #expect(daemon.log.contains("scanner \(old.pid): spamd settings changed, replacing it"))
        // The old scanner finished and exited.
        #expect(daemon.waitFor(10) { kill(old.pid, 0) != 0 })
    }
}
