#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// Every child begins the same way (ChildStartup): a descriptor the master
/// should have placed but did not, or a first frame that is not the
/// configuration, ends the child with exit status 1 and the reason in its
/// log, before it builds anything.
@Suite struct ChildStartupTests {
    /// Spawns `executable` with `fds` at 3, 4, ...; returns its exit status
    /// and log.
    func run(_ executable: String, fds: [Int32], closing: [Int32] = []) throws -> (status: Int32?, log: String) {
        let binary = try DNSHelperTestSupport.binary(executable)
        let logPath = NSTemporaryDirectory() + "child-startup-\(UUID().uuidString).log"
        defer { unlink(logPath) }
        let pid = try DNSHelperTestSupport.spawn(binary, [], fds: fds, stderrPath: logPath)
        for fd in closing { close(fd) }
        let status = DNSHelperTestSupport.wait(pid, seconds: 10)
        if status == nil { DNSHelperTestSupport.stop(pid) }
        return (status, DNSHelperTestSupport.read(logPath))
    }

    func socketPair() -> [Int32] {
        var pair: [Int32] = [-1, -1]
        _ = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair)
        return pair
    }

    @Test func aWorkerWithoutItsSpoolChannelSaysWhichAndExits() throws {
        let control = socketPair(), dns = socketPair()
        defer { for fd in control + dns { close(fd) } }
        let result = try run("authmilter-worker", fds: [control[1], dns[1]])
        #expect(result.status.map { WIFEXITED($0) && WEXITSTATUS($0) == 1 } == true, "\(result.log)")
        #expect(result.log.contains("worker: fd 5 (the channel to the spool) is not open"), "\(result.log)")
    }

    @Test func aSpoolWhoseMasterSendsNothingExits() throws {
        let control = socketPair()
        defer { close(control[1]) }
        // The master's end is closed at once: the first frame never comes.
        let result = try run("authmilter-spool", fds: [control[1]], closing: [control[0]])
        #expect(result.status.map { WIFEXITED($0) && WEXITSTATUS($0) == 1 } == true, "\(result.log)")
        #expect(result.log.contains("spool: no configuration from the master; exiting"), "\(result.log)")
    }

    @Test func aDNSHelperWithoutItsControlChannelExits() throws {
        let result = try run("authmilter-dns", fds: [])
        #expect(result.status.map { WIFEXITED($0) && WEXITSTATUS($0) == 1 } == true, "\(result.log)")
        #expect(result.log.contains("authmilter-dns: fd 3 (the channel to the master) is not open"), "\(result.log)")
    }
}

private func WIFEXITED(_ status: Int32) -> Bool { status & 0x7f == 0 }
private func WEXITSTATUS(_ status: Int32) -> Int32 { (status >> 8) & 0xff }
