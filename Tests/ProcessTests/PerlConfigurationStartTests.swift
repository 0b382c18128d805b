#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Milter
import MilterClient
import Testing

/// A configuration written for the newest Perl release starts unchanged:
/// its global keys since the manual (cache_dns_timeouts, max_dequeue,
/// lock_file, extended_log ...) and a handler's auth_header_name.
@Suite(.serialized) struct PerlConfigurationStartTests {
    @Test func newerPerlKeysStartAndAct() throws {
        let lockDirectory = NSTemporaryDirectory() + "authmilter-lock-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: lockDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: lockDirectory) }
        let lockFile = lockDirectory + "/authentication_milter.lock"
        let daemon = try DaemonFixture(
            handlers: #""AddID": {}, "LocalIP": { "auth_header_name": "X-Local-Results" }"#,
            extra: """
                "extended_log": 1, "legacy_log": 0, "cache_dns_timeouts": 1, "max_dequeue": 5,
                "addheader_timeout": 30, "check_for_dequeue": 60, "dequeue_timeout": 300,
                "lock_file": "\(lockFile)",
                """)
        #expect(daemon.waitFor { daemon.workers().count >= 2 }, "log:\n\(daemon.log)")
        #expect(!daemon.log.contains("unknown key"), "log:\n\(daemon.log)")
        // The master holds the lock file.
        let fd = open(lockFile, O_RDWR | O_CLOEXEC)
        #expect(fd >= 0)
        #expect(flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)
        close(fd)
        // LocalIP's entry goes to its own header; nothing else is left for
        // Authentication-Results.
        let client = try #require(MilterClientConnection(port: daemon.port))
        let replies = try #require(client.deliver(address: "127.0.0.1"), "log:\n\(daemon.log)")
        let inserted = replies.compactMap { reply -> String? in
            if case .insertHeader(_, let name, let value) = reply { return "\(name): \(value)" }
            return nil
        }
        #expect(inserted == ["X-Local-Results: mx.test.example;\n    x-local-ip=pass"], "log:\n\(daemon.log)")
    }
}
