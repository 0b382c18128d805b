import Testing
#if canImport(Glibc)
import Glibc
#endif
import Foundation

@testable import Config
@testable import MasterSupport
@testable import SystemIO

/// Global keys the Perl program gained after the 2.x manual: accepted,
/// typed, carried to the workers.
@Suite struct ConfigurationPerlKeysTests {
    /// A configuration in the shape of the newest Perl release's own
    /// sample (`-h default_config` plus the keys its POD documents since).
    static let perlSample = """
        "debug": 0, "dryrun": 0, "logtoerr": 0, "error_log": "", "extended_log": 1, "legacy_log": 0,
        "umask": "0000", "runas": "nobody", "rungroup": "nogroup", "listen_backlog": 20,
        "min_children": 20, "max_children": 200, "min_spare_children": 10, "max_spare_children": 20,
        "max_requests_per_child": 200, "protocol": "milter", "milter_quarantine": "0",
        "connect_timeout": 30, "command_timeout": 30, "content_timeout": 300, "addheader_timeout": 30,
        "dequeue_timeout": 300, "check_for_dequeue": 60, "max_dequeue": 3, "cache_dns_timeouts": 0,
        "dns_timeout": 10, "dns_retry": 2, "lock_file": "/run/authentication_milter.lock",
        "tempfail_on_error": "1", "tempfail_on_error_authenticated": "0", "tempfail_on_error_local": "0",
        "tempfail_on_error_trusted": "0", "authserv_id": "", "ip_map": {}
        """

    @Test func thePerlSampleLoadsWithoutWarnings() throws {
        let (c, warnings) = try loadGlobal(Self.perlSample)
        #expect(warnings.isEmpty)
        #expect(c.maxDequeue == 3 && !c.cacheDNSTimeouts)
        #expect(c.lockFile == "/run/authentication_milter.lock")
        #expect(c.extendedLog == true && c.addheaderTimeout == 30)
        // Carried to the workers.
        let again = try Configuration(fromSerialized: c.serialized())
        #expect(again.maxDequeue == 3 && !again.cacheDNSTimeouts && again == c)
    }

    @Test func defaultsAreThePerlOnes() throws {
        let (c, _) = try loadGlobal("")
        #expect(c.cacheDNSTimeouts && c.maxDequeue == 5)
        #expect(throws: (any Error).self) { try loadGlobal(#""cache_dns_timeouts": "yes""#) }
        #expect(throws: (any Error).self) { try loadGlobal(#""max_dequeue": -1"#) }
    }

    @Test func theLockFileIsHeldExclusively() throws {
        let directory = NSTemporaryDirectory() + "authmilter-lock-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/milter.lock"
        let safePath = SafePath(trustedUID: geteuid())
        guard case .held(let fd) = InstanceLockFile.acquire(path, safePath: safePath) else {
            Issue.record("not locked")
            return
        }
        // A second holder (another open file description) is refused.
        #expect(InstanceLockFile.acquire(path, safePath: safePath) == .heldElsewhere)
        close(fd)
        guard case .held(let again) = InstanceLockFile.acquire(path, safePath: safePath) else {
            Issue.record("not locked after release")
            return
        }
        close(again)
    }
}

/// `socket_group` (ours, issue 14): on `connection` and on each entry of
/// `connections`; on an inet socket it is ignored with a warning.
@Suite struct SocketGroupConfigurationTests {
    @Test func parsedForEveryListenerAndWarnedOnInet() throws {
        let fixture = try ConfigFixture(main: """
            { "connection": "unix:/run/am.sock", "socket_group": "postfix",
              "connections": { "other": { "connection": "inet:12346@127.0.0.1", "socket_group": "postfix" } },
              "handlers": {} }
            """)
        let (configuration, warnings) = try fixture.load()
        #expect(configuration.listeners.map(\.socketGroup) == ["postfix", "postfix"])
        #expect(warnings.contains { $0.contains("socket_group applies to a unix socket only") })
        let again = try Configuration(fromSerialized: configuration.serialized())
        #expect(again.listeners.map(\.socketGroup) == ["postfix", "postfix"])
    }
}
