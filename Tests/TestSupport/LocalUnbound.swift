import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real DNS server for the tests: Debian's unbound (/usr/sbin/unbound)
/// serving `local-data` for one static zone on a free loopback port, over
/// UDP and TCP. A line starting with `ptr ` becomes `local-data-ptr`.
/// One starter for every test target that needs a resolver.
public final class LocalUnbound {
    public static let binary = "/usr/sbin/unbound"

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    public let port: UInt16
    public let directory: String
    public let logPath: String
    private let process: Process
    private let ownsDirectory: Bool

    /// `directory`: where its configuration and log go (a new temporary
    /// one, removed at the end, when nil).
    public init(zone: String = "test.", localData: [String], directory given: String? = nil) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw Failure(description: "\(Self.binary) is missing: these tests need Debian's unbound (apt-get install unbound)")
        }
        if let given {
            directory = given
            ownsDirectory = false
        } else {
            var template = Array((NSTemporaryDirectory() + "authmilter-unbound-XXXXXX").utf8CString)
            guard let made = mkdtemp(&template) else { throw Failure(description: "mkdtemp failed") }
            directory = String(cString: made)
            ownsDirectory = true
        }
        port = try Loopback.freePort()
        logPath = directory + "/unbound.log"
        var config = """
        server:
            port: \(port)
            interface: 127.0.0.1
            do-ip6: no
            do-daemonize: no
            chroot: ""
            username: ""
            directory: "\(directory)"
            pidfile: ""
            use-syslog: no
            logfile: ""
            verbosity: 1
            num-threads: 1
            access-control: 127.0.0.0/8 allow
            local-zone: "\(zone)" static

        """
        for line in localData {
            let directive = line.hasPrefix("ptr ") ? "local-data-ptr" : "local-data"
            let value = line.hasPrefix("ptr ") ? String(line.dropFirst(4)) : line
            config += "    \(directive): '\(value)'\n"
        }
        config += "remote-control:\n    control-enable: no\n"
        try config.write(toFile: directory + "/unbound.conf", atomically: true, encoding: .utf8)

        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["-d", "-c", directory + "/unbound.conf"]
        process.standardOutput = FileHandle(forWritingAtPath: logPath)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        guard Loopback.acceptsTCP(port: port, withinSeconds: 10) else {
            stop()
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            throw Failure(description: "unbound did not start: \(text)")
        }
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }
}

/// Loopback addresses and ports for test servers.
public enum Loopback {
    /// A loopback port free for both UDP and TCP just now.
    public static func freePort() throws -> UInt16 {
        for _ in 0..<20 {
            let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            defer { close(udp) }
            var address = address(port: 0)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(udp, $0, length) == 0 && getsockname(udp, $0, &length) == 0 }
            }
            guard bound else { continue }
            let port = UInt16(bigEndian: address.sin_port)
            let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(tcp) }
            var tcpAddress = self.address(port: port)
            let tcpBound = withUnsafePointer(to: &tcpAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            if tcpBound { return port }
        }
        throw LocalUnbound.Failure(description: "no free loopback port")
    }

    /// A TCP socket listening on 127.0.0.1 at a port the kernel picks.
    public static func listenTCP(backlog: Int32 = 16) throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var bound = address(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = fd >= 0 && withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ready, listen(fd, backlog) == 0 else {
            close(fd)
            throw LocalUnbound.Failure(description: "cannot listen on 127.0.0.1")
        }
        return (fd, UInt16(bigEndian: bound.sin_port))
    }

    public static func address(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    /// Whether something accepts TCP on 127.0.0.1:`port` within `seconds`.
    public static func acceptsTCP(port: UInt16, withinSeconds seconds: Double) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = address(port: port)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            close(fd)
            if connected { return true }
            usleep(20_000)
        }
        return false
    }
}
