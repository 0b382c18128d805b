#if canImport(Glibc)
import Glibc
#endif
import CShim
import Foundation
import Testing

/// A real authentication_milter master started from the built binaries
/// with a configuration written for the test, in the foreground, its log
/// captured in a file.
final class DaemonFixture {
    let directory: String
    let port: UInt16
    let pid: pid_t
    let logPath: String

    static var binaryDirectory: String {
        // The test bundle runs from the build directory, beside our binaries.
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        var dir = (exe as NSString).deletingLastPathComponent
        while !dir.isEmpty && dir != "/" {
            if FileManager.default.fileExists(atPath: dir + "/authentication_milter") { return dir }
            dir = (dir as NSString).deletingLastPathComponent
        }
        return ".build/debug"
    }

    static func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return UInt16(bigEndian: address.sin_port)
    }

    /// `extra` is spliced into the JSON object (without braces).
    init(handlers: String, extra: String = "", environment: [String: String] = [:]) throws {
        directory = NSTemporaryDirectory() + "authmilter-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/authentication_milter.d", withIntermediateDirectories: true)
        port = DaemonFixture.freePort()
        logPath = directory + "/milter.log"
        let config = """
            {
              "connection": "inet:\(port)@127.0.0.1",
              "min_children": 2, "max_children": 4, "min_spare_children": 1, "max_spare_children": 2,
              "spool_dir": "\(directory)/spool", "cache_dir": "\(directory)/cache", "lib_dir": "\(directory)/lib",
              "dns_resolvers": ["127.0.0.1:9"], "dns_timeout": 1, "dns_retry": 0,
              \(extra)
              "handlers": { \(handlers) }
            }
            """
        try config.write(toFile: directory + "/authentication_milter.json", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonFixture.binaryDirectory + "/authentication_milter")
        process.arguments = ["--prefix", directory, "--pidfile", directory + "/milter.pid"]
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        pid = process.processIdentifier
    }

    deinit {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        for _ in 0..<100 {
            if waitpid(pid, &status, WNOHANG) == pid { break }
            usleep(50_000)
        }
        kill(pid, SIGKILL)
        try? FileManager.default.removeItem(atPath: directory)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Children of the master, with their comm names.
    func children() -> [(pid: pid_t, name: String)] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0) }.map { child in
            let name = (try? String(contentsOfFile: "/proc/\(child)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            return (child, name)
        }
    }

    func workers() -> [pid_t] { children().filter { $0.name.hasPrefix("authmilter-work") }.map(\.pid) }

    /// Waits until `condition` holds, up to `seconds`.
    func waitFor(_ seconds: Double = 20, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    func isAlive() -> Bool { kill(pid, 0) == 0 }

    static func status(of pid: pid_t) -> [String: String] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }
}
