import Testing
import Foundation
import DMARCReports
import MailAuth
#if canImport(Glibc)
import Glibc
#endif

/// A private unbound (Debian's /usr/sbin/unbound) serving `local-data` for
/// the zone "test." on a free loopback port: a real DNS server for the
/// stub resolver to talk to.
private final class PrivateUnbound {
    static let binary = "/usr/sbin/unbound"
    let port: UInt16
    let directory: String
    private let process: Process

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(localData: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            throw Failure(description: "\(Self.binary) is missing: these tests need Debian's unbound (apt-get install unbound)")
        }
        var template = Array("/tmp/authmilter-ldns-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(description: "mkdtemp failed") }
        directory = String(cString: made)
        port = try Self.freePort()
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
            local-zone: "test." static

        """
        for line in localData { config += "    local-data: '\(line)'\n" }
        config += "remote-control:\n    control-enable: no\n"
        try config.write(toFile: directory + "/unbound.conf", atomically: true, encoding: .utf8)

        let log = directory + "/unbound.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["-d", "-c", directory + "/unbound.conf"]
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        guard Self.acceptsTCP(port: port, withinSeconds: 10) else {
            stop()
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw Failure(description: "unbound did not start: \(text)")
        }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A loopback port free for both UDP and TCP just now.
    static func freePort() throws -> UInt16 {
        for _ in 0..<20 {
            let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            defer { close(udp) }
            var address = loopback(port: 0)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(udp, $0, length) == 0 && getsockname(udp, $0, &length) == 0 }
            }
            guard bound else { continue }
            let port = UInt16(bigEndian: address.sin_port)
            let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(tcp) }
            var tcpAddress = loopback(port: port)
            let tcpBound = withUnsafePointer(to: &tcpAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcp, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            if tcpBound { return port }
        }
        throw Failure(description: "no free loopback port")
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    private static func acceptsTCP(port: UInt16, withinSeconds seconds: Double) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = loopback(port: port)
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

/// A UDP socket on a loopback port that never reads: a resolver that does
/// not answer.
private final class SilentServer {
    let port: UInt16
    private let fd: Int32

    init() throws {
        let socketFD = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = PrivateUnbound.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) == 0 && getsockname(socketFD, $0, &length) == 0 }
        }
        guard socketFD >= 0, bound else {
            close(socketFD)
            throw PrivateUnbound.Failure(description: "cannot bind a UDP socket")
        }
        fd = socketFD
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(fd) }
}

@Suite struct LDNSStubResolverTests {
    private static let zone = [
        "multi.example.test. 300 TXT \"v=DMARC1; \" \"rua=mailto:a@example.test\"",
        "example.test. 300 MX 20 mx2.example.test.",
        "example.test. 300 MX 10 mx1.example.test.",
        "mx1.example.test. 300 A 192.0.2.1",
        "mx1.example.test. 300 AAAA 2001:db8::1",
        "alias.example.test. 300 CNAME mx1.example.test.",
        "big.example.test. 300 TXT " + (1...8).map { "\"\(String(repeating: Character(String($0)), count: 250))\"" }.joined(separator: " "),
    ]

    @Test func answersTXTWithSeveralStringsMXAndAddresses() throws {
        let unbound = try PrivateUnbound(localData: Self.zone)
        defer { unbound.stop() }
        let dns = try LDNSStubResolver(servers: ["127.0.0.1:\(unbound.port)"], timeoutSeconds: 2)
        #expect(dns.serverDescriptions == ["127.0.0.1:\(unbound.port)"])
        let outcomes = dns.lookup([
            DNSQuestion(name: "multi.example.test", type: .txt),
            DNSQuestion(name: "Example.Test.", type: .mx),
            DNSQuestion(name: "mx1.example.test", type: .a),
            DNSQuestion(name: "mx1.example.test", type: .aaaa),
        ])
        #expect(outcomes.count == 4)
        #expect(outcomes[0] == .answer([.txt([Array("v=DMARC1; ".utf8), Array("rua=mailto:a@example.test".utf8)])], ttl: 300))
        #expect(Set(outcomes[1].records) == [.mx(preference: 10, exchange: "mx1.example.test"), .mx(preference: 20, exchange: "mx2.example.test")])
        #expect(outcomes[2] == .answer([.a("192.0.2.1")], ttl: 300))
        #expect(outcomes[3] == .answer([.aaaa("2001:db8::1")], ttl: 300))
        // What the report sender does with it.
        #expect(MailExchangerRoute.find(for: "example.test", resolver: dns).hostNames == ["mx1.example.test", "mx2.example.test"])
    }

    @Test func nxdomainNodataAndCNAMEChains() throws {
        let unbound = try PrivateUnbound(localData: Self.zone)
        defer { unbound.stop() }
        let dns = try LDNSStubResolver(servers: ["127.0.0.1:\(unbound.port)"], timeoutSeconds: 2)
        let outcomes = dns.lookup([
            DNSQuestion(name: "nothere.example.test", type: .txt),
            DNSQuestion(name: "example.test", type: .txt),
            DNSQuestion(name: "alias.example.test", type: .a),
            DNSQuestion(name: "bad..name", type: .a),
        ])
        #expect(outcomes[0] == .nxdomain)
        #expect(outcomes[1] == .nodata)
        #expect(outcomes[2].records == [.a("192.0.2.1")])
        #expect(outcomes[3] == .error("invalid domain name"))
    }

    @Test func aTruncatedAnswerIsFetchedOverTCP() throws {
        let unbound = try PrivateUnbound(localData: Self.zone)
        defer { unbound.stop() }
        let dns = try LDNSStubResolver(servers: ["127.0.0.1:\(unbound.port)"], timeoutSeconds: 2)
        // 8 strings of 250 bytes: over the 1232-byte EDNS payload.
        let expected = (1...8).map { [UInt8](repeating: UInt8(ascii: "0") + UInt8($0 % 10), count: 250) }
        #expect(dns.lookup(name: "big.example.test", type: .txt) == .answer([.txt(expected)], ttl: 300))
    }

    @Test func aServerThatDoesNotAnswerTimesOut() throws {
        let silent = try SilentServer()
        let dns = try LDNSStubResolver(servers: ["127.0.0.1:\(silent.port)"], timeoutSeconds: 0.3, attempts: 1)
        let clock = ContinuousClock()
        let started = clock.now
        let outcome = dns.lookup(name: "example.test", type: .txt)
        let elapsed = clock.now - started
        #expect(outcome == .timeout)
        #expect(elapsed >= .milliseconds(250))
        #expect(elapsed < .seconds(3))
        // ldns would skip a server that once failed; this one is asked again.
        let again = clock.now
        #expect(dns.lookup(name: "example.test", type: .txt) == .timeout)
        #expect(clock.now - again >= .milliseconds(250))
    }

    @Test func aSilentServerIsFollowedByTheNextOne() throws {
        let silent = try SilentServer()
        let unbound = try PrivateUnbound(localData: Self.zone)
        defer { unbound.stop() }
        let dns = try LDNSStubResolver(servers: ["127.0.0.1:\(silent.port)", "127.0.0.1:\(unbound.port)"],
                                       timeoutSeconds: 0.3, attempts: 1)
        #expect(dns.lookup(name: "mx1.example.test", type: .a) == .answer([.a("192.0.2.1")], ttl: 300))
    }

    @Test func serverListsAreParsed() throws {
        let dns = try LDNSStubResolver(servers: ["192.0.2.53", "192.0.2.54:5353", "2001:db8::53", "[2001:db8::54]:5300"])
        #expect(dns.serverDescriptions == ["192.0.2.53:53", "192.0.2.54:5353", "[2001:db8::53]:53", "[2001:db8::54]:5300"])
        #expect(throws: LDNSStubResolver.SetupError.self) { try LDNSStubResolver(servers: ["resolver.example.test"]) }
        #expect(throws: LDNSStubResolver.SetupError.self) { try LDNSStubResolver(servers: ["192.0.2.1:99999"]) }
        #expect(throws: LDNSStubResolver.SetupError.self) { try LDNSStubResolver(servers: ["127.0.0.1"], timeoutSeconds: 0) }
    }
}
