#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import MasterSupport
import Testing

/// Syslog only while a syslog daemon's socket exists (issue 12): without
/// one, glibc's syslog(3) tried to connect again for every line.
@Suite struct SyslogSocketTests {
    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("syslog-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        return path
    }

    /// A bound unix datagram socket at `path`, as syslogd makes /dev/log.
    static func bindSocket(at path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(rc == 0)
        return fd
    }

    @Test func aSocketCountsAndNothingElseDoes() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socketPath = directory + "/log"
        let fd = try Self.bindSocket(at: socketPath)
        defer { close(fd) }
        #expect(MasterLog.syslogSocketExists(at: socketPath))
        #expect(!MasterLog.syslogSocketExists(at: directory + "/missing"))
        let file = directory + "/file"
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        #expect(!MasterLog.syslogSocketExists(at: file))
        #expect(!MasterLog.syslogSocketExists(at: directory))
        // systemd's /dev/log is a link to the journal's socket.
        let link = directory + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: socketPath)
        #expect(MasterLog.syslogSocketExists(at: link))
        let dangling = directory + "/dangling"
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: directory + "/missing")
        #expect(!MasterLog.syslogSocketExists(at: dangling))
    }

    /// A syslog daemon that starts after the master is used from the next
    /// check on, not only after a reload.
    @Test func aSocketThatAppearsLaterIsPickedUp() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socketPath = directory + "/log"
        MasterLog.configure(ident: "syslog-test", debug: false, toStderr: false, syslogSocketPath: socketPath)
        #expect(MasterLog.configured?.waitingForSyslog == true)
        MasterLog.recheckSyslogSocket(now: 1e12)
        #expect(MasterLog.configured?.waitingForSyslog == true)
        let fd = try Self.bindSocket(at: socketPath)
        defer { close(fd) }
        // Not before the next check is due...
        MasterLog.recheckSyslogSocket(now: 1e12 + 1)
        #expect(MasterLog.configured?.waitingForSyslog == true)
        // ...then it is used.
        MasterLog.recheckSyslogSocket(now: 1e12 + MasterLog.syslogRecheckSeconds)
        #expect(MasterLog.configured?.waitingForSyslog == false)
    }
}
