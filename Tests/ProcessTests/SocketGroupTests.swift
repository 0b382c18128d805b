import Foundation
import Testing

/// `socket_group` (issue 14): a unix listening socket given to a group, so
/// a chrooted Postfix running in that group can connect; an unknown group
/// stops the start with its name.
@Suite struct SocketGroupTests {
    static func start(group: String, directory: String) throws -> (status: Int32, output: String, control: [String]) {
        let config = """
            { "connection": "unix:\(directory)/milter.sock", "umask": "0007", "socket_group": "\(group)",
              "min_children": 1, "max_children": 1, "min_spare_children": 1, "max_spare_children": 1,
              "spool_dir": "\(directory)/spool", "cache_dir": "\(directory)/cache", "lib_dir": "\(directory)/lib",
              "handlers": { "AddID": {} } }
            """
        try config.write(toFile: directory + "/authentication_milter.json", atomically: true, encoding: .utf8)
        let control = ["--prefix", directory, "--pidfile", directory + "/am.pid", "-i", "socketgroup"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonFixture.binaryDirectory + "/authentication_milter")
        process.arguments = control + ["-c", "start"]
        let out = Pipe()
        process.standardError = out
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text, control)
    }

    static func stop(_ control: [String]) {
        let stop = Process()
        stop.executableURL = URL(fileURLWithPath: DaemonFixture.binaryDirectory + "/authentication_milter")
        stop.arguments = control + ["-c", "stop"]
        stop.standardOutput = FileHandle.nullDevice
        stop.standardError = FileHandle.nullDevice
        try? stop.run()
        stop.waitUntilExit()
    }

    static func directory() throws -> String {
        let directory = NSTemporaryDirectory() + "authmilter-sockgroup-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test(.enabled(if: geteuid() == 0 && getgrnam("nogroup") != nil, "needs root and Debian's nogroup group"))
    func theSocketGoesToTheGroupWithGroupAccess() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (status, output, control) = try Self.start(group: "nogroup", directory: directory)
        defer { Self.stop(control) }
        #expect(status == 0, "\(output)")
        var info = stat()
        #expect(lstat(directory + "/milter.sock", &info) == 0)
        #expect(info.st_gid == getgrnam("nogroup")!.pointee.gr_gid)
        #expect(info.st_mode & 0o777 == 0o770, "mode \(String(info.st_mode & 0o777, radix: 8))")
    }

    @Test func anUnknownGroupStopsTheStart() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (status, output, control) = try Self.start(group: "no-such-group-authmilter", directory: directory)
        defer { Self.stop(control) }
        #expect(status == 1, "\(output)")
        #expect(output.contains("socket_group no-such-group-authmilter: no such group"), "\(output)")
    }
}
