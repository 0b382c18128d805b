#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// A real worker's environment, as the kernel holds it (/proc/PID/environ):
/// the malloc cache setting is there (issue 12).
@Suite(.serialized) struct ChildEnvironmentProcessTests {
    @Test func aWorkerStartsWithTheMallocCacheSetting() throws {
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#)
        #expect(daemon.waitFor { !daemon.workers().isEmpty }, "log:\n\(daemon.log)")
        guard let worker = daemon.workers().first else { return }
        let raw = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(worker)/environ"))
        let variables = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        let wanted = ProcessInfo.processInfo.environment["GLIBC_TUNABLES"] ?? "glibc.malloc.tcache_count=64"
        #expect(variables.contains("GLIBC_TUNABLES=\(wanted)"), "\(variables)")
        #expect(!variables.contains { $0.hasPrefix("HOME=") }, "\(variables)")
    }
}
