import CShim
import Foundation
import IPC
import MailAuth
import SystemIO
import Testing

enum DNSHelperTestSupport {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The built binaries sit next to the test bundle (.build/debug).
    static func binary(_ name: String) throws -> String {
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let path = (exe as NSString).deletingLastPathComponent + "/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw Failure(description: "\(path) is missing: build it first (swift build --product \(name))")
        }
        return path
    }

    static func temporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/authmilter-dns-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(description: "mkdtemp failed") }
        return String(cString: made)
    }

    /// A loopback port free for both UDP and TCP just now.
    static func freePort() throws -> UInt16 {
        for _ in 0..<20 {
            let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            defer { close(udp) }
            var address = loopback(port: 0)
            guard bind(udp, &address, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 else { continue }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            guard getsockname(udp, &address, &length) == 0 else { continue }
            let port = UInt16(bigEndian: address.sin_port)
            let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(tcp) }
            var tcpAddress = loopback(port: port)
            if bind(tcp, &tcpAddress, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 { return port }
        }
        throw Failure(description: "no free loopback port")
    }

    /// Whether ::1 can be bound (containers without IPv6 cannot).
    static var hasIPv6Loopback: Bool {
        let fd = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        } == 0
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    static func bind(_ fd: Int32, _ address: inout sockaddr_in, _ length: socklen_t) -> Int32 {
        withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) } }
    }

    static func getsockname(_ fd: Int32, _ address: inout sockaddr_in, _ length: inout socklen_t) -> Int32 {
        withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.getsockname(fd, $0, &length) } }
    }

    /// posix_spawn through the C shim: fds become 3, 4, ...; stderr goes to
    /// `stderrPath` (a file: nobody has to drain a pipe).
    static func spawn(_ path: String, _ arguments: [String], fds: [Int32], stderrPath: String) throws -> pid_t {
        let log = open(stderrPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard log >= 0 else { throw Failure(description: "cannot create \(stderrPath)") }
        defer { close(log) }
        func cStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] {
            strings.map { (text: String) -> UnsafeMutablePointer<CChar>? in strdup(text) } + [nil]
        }
        let argv = cStrings([path] + arguments)
        let envp = cStrings(["SWIFT_BACKTRACE=enable=no", "PATH=/usr/sbin:/usr/bin:/sbin:/bin"])
        defer { (argv + envp).forEach { free($0) } }
        let pid = fds.withUnsafeBufferPointer { am_spawn(path, argv, envp, $0.baseAddress, Int32(fds.count), log) }
        guard pid > 0 else { throw Failure(description: "cannot start \(path): \(String(cString: strerror(-pid)))") }
        return pid
    }

    /// Waits for a child to end, up to `seconds`; nil if it did not.
    static func wait(_ pid: pid_t, seconds: Double) -> Int32? {
        let end = monotonicSeconds() + seconds
        var status: Int32 = 0
        while monotonicSeconds() < end {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { return status }
            if r < 0 { return nil }
            usleep(10_000)
        }
        return nil
    }

    static func stop(_ pid: pid_t) {
        kill(pid, SIGTERM)
        if wait(pid, seconds: 5) == nil {
            kill(pid, SIGKILL)
            _ = wait(pid, seconds: 5)
        }
    }

    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// The lines of /proc/<pid>/status that show the sandbox.
    static func status(of pid: pid_t) -> [String: String] {
        var fields: [String: String] = [:]
        for line in read("/proc/\(pid)/status").split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    /// Polls `condition` until true or `seconds` pass.
    static func eventually(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let end = monotonicSeconds() + seconds
        while monotonicSeconds() < end {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}

/// A running `authmilter-dns` with its master channel held by the test.
final class SpawnedDNSHelper {
    let pid: pid_t
    let master: Int32
    let logPath: String
    private var ended = false

    init(arguments: [String], directory: String) throws {
        let binary = try DNSHelperTestSupport.binary("authmilter-dns")
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw DNSHelperTestSupport.Failure(description: "socketpair failed")
        }
        logPath = directory + "/helper-\(UInt32.random(in: 0 ... .max)).log"
        do {
            pid = try DNSHelperTestSupport.spawn(binary, arguments, fds: [fds[1]], stderrPath: logPath)
        } catch {
            close(fds[0]); close(fds[1])
            throw error
        }
        close(fds[1])
        master = fds[0]
    }

    /// A new worker channel, the way the master makes one: a socketpair,
    /// one end handed over with `MasterToHelper.newChannel` and SCM_RIGHTS.
    func channel() throws -> Int32 {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw DNSHelperTestSupport.Failure(description: "socketpair failed")
        }
        let sent = IPCChannel(fd: master, receiving: HelperToMaster.self).send(MasterToHelper.newChannel, descriptor: fds[1])
        close(fds[1])
        guard sent else {
            close(fds[0])
            throw DNSHelperTestSupport.Failure(description: "cannot hand a channel to the helper")
        }
        return fds[0]
    }

    func client(timeoutSeconds: Double = 10) throws -> DNSHelperClient {
        DNSHelperClient(fd: try channel(), timeoutSeconds: timeoutSeconds)
    }

    var log: String { DNSHelperTestSupport.read(logPath) }

    var isRunning: Bool { !ended && kill(pid, 0) == 0 && DNSHelperTestSupport.status(of: pid)["State"]?.hasPrefix("Z") == false }

    /// Waits for the helper to exit by itself; its status, or nil.
    func waitForExit(seconds: Double) -> Int32? {
        guard !ended else { return nil }
        let status = DNSHelperTestSupport.wait(pid, seconds: seconds)
        ended = status != nil
        return status
    }

    /// Closes the master channel and returns the exit status.
    func closeMaster() -> Int32? {
        closeMasterOnce()
        return waitForExit(seconds: 5)
    }

    private var masterClosed = false
    private func closeMasterOnce() {
        if !masterClosed { close(master) }
        masterClosed = true
    }

    deinit {
        closeMasterOnce()
        if !ended { DNSHelperTestSupport.stop(pid) }
    }
}
