#if canImport(Glibc)
import Glibc
#endif
import Foundation
import MailAuth
import Milter
import MilterClient
import Testing

/// Blocker and AbusixDataFeed in a live daemon (issue 13): the master reads
/// the rule file and the jailed workers act on it, the file edited between
/// connections; the jailed spool sends the datagram to a UDP socket here.
@Suite(.serialized) struct BlockerAbusixProcessTests {
    static func rule(_ id: String, address: String, with: String) -> String {
        "[\(id)]\ncallback = \"connect\"\nvalue = '^\(address.replacingOccurrences(of: ".", with: "\\."))$'\nwith = \"\(with)\"\npercent = 100\n"
    }

    /// The replies to connect, on a new milter connection.
    static func connectReplies(_ daemon: DaemonFixture, address: String) throws -> [MilterResponse]? {
        let client = try #require(MilterClientConnection(port: daemon.port))
        guard client.negotiate() else { return nil }
        client.send(.connect(hostname: "client.example.org", family: .inet, port: 4000, address: address))
        return client.replies()
    }

    @Test func theWorkersFollowTheRuleFileAsItChanges() throws {
        let directory = NSTemporaryDirectory() + "authmilter-blocker-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let rules = directory + "/rules.toml"
        try Self.rule("first", address: "192.0.2.7", with: "550 5.7.1 first rule").write(toFile: rules, atomically: true, encoding: .utf8)
        let daemon = try DaemonFixture(handlers: #""Blocker": { "blocker_configs": ["\#(rules)"] }"#)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        #expect(try Self.connectReplies(daemon, address: "192.0.2.7") == [.replyCode("550 5.7.1 first rule")], "log:\n\(daemon.log)")
        #expect(try Self.connectReplies(daemon, address: "192.0.2.8") == [.continue])
        // Replaced (a new file renamed over it, as the tool does): the next
        // connection, whichever worker takes it, follows the new rule.
        try Self.rule("second", address: "192.0.2.8", with: "451 4.7.1 second rule").write(toFile: rules, atomically: true, encoding: .utf8)
        for _ in 0..<3 {
            #expect(try Self.connectReplies(daemon, address: "192.0.2.8") == [.replyCode("451 4.7.1 second rule")], "log:\n\(daemon.log)")
            #expect(try Self.connectReplies(daemon, address: "192.0.2.7") == [.continue])
        }
        #expect(daemon.log.contains("Blocker: 1 rules from 1 files"))
        #expect(!daemon.log.contains("seccomp"), "log:\n\(daemon.log)")
    }

    @Test func theSpoolSendsTheDatagram() throws {
        let listener = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let port = UInt16(bigEndian: address.sin_port)
        let daemon = try DaemonFixture(handlers: #""AbusixDataFeed": { "feed_name": "pt", "feed_key": "key", "feed_dest": "127.0.0.1:\#(port)", "listening_port": 25 }"#)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        let client = try #require(MilterClientConnection(port: daemon.port))
        #expect(client.deliver(address: "192.0.2.1", from: "<a@Sender.Example>") != nil, "log:\n\(daemon.log)")
        var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        #expect(poll(&p, 1, 10_000) == 1, "no datagram; log:\n\(daemon.log)")
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(listener, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        let lines = String(decoding: buffer.prefix(max(0, n)), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 12, "\(lines)")
        guard lines.count == 12 else { return }
        // The DNS resolvers of the fixture do not answer: no PTR names.
        #expect(lines[0] == "pt" && lines[2] == "25" && lines[3] == "192.0.2.1" && lines[4] == "" && lines[5] == "client.example.org")
        #expect(lines[9] == "sender.example" && lines[10] == "")
        #expect(abs((Double(lines[1]) ?? 0) - Date().timeIntervalSince1970) < 60)
        let body = Array((lines[0..<11].joined(separator: "\n") + "\nkey").utf8)
        #expect(lines[11] == CryptoDigestHex.md5(body))
    }
}

/// An MD5 in hex done apart from the code under test (Foundation has none
/// on Linux): the `md5sum` of the system.
enum CryptoDigestHex {
    static func md5(_ bytes: [UInt8]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/md5sum")
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try? process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try? input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }
}
