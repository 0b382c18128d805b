import DMARCReports
import Foundation
import MailAuth
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A UDP socket on a loopback port that never reads: a resolver that does
/// not answer.
private final class SilentServer {
    let port: UInt16
    private let fd: Int32

    init() throws {
        let socketFD = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = Loopback.address(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, length) == 0 && getsockname(socketFD, $0, &length) == 0 }
        }
        guard socketFD >= 0, bound else {
            close(socketFD)
            throw LocalUnbound.Failure(description: "cannot bind a UDP socket")
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
        let unbound = try LocalUnbound(localData: Self.zone)
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
        let unbound = try LocalUnbound(localData: Self.zone)
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
        let unbound = try LocalUnbound(localData: Self.zone)
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
        let unbound = try LocalUnbound(localData: Self.zone)
        defer { unbound.stop() }
        let dns = try LDNSStubResolver(servers: ["127.0.0.1:\(silent.port)", "127.0.0.1:\(unbound.port)"],
                                       timeoutSeconds: 0.3, attempts: 1)
        #expect(dns.lookup(name: "mx1.example.test", type: .a) == .answer([.a("192.0.2.1")], ttl: 300))
    }

    @Test func serverListsAreParsed() throws {
        let dns = try LDNSStubResolver(servers: ["192.0.2.53", "192.0.2.54:5353", "2001:db8::53", "[2001:db8::54]:5300"])
        #expect(dns.serverDescriptions == ["192.0.2.53:53", "192.0.2.54:5353", "[2001:db8::53]:53", "[2001:db8::54]:5300"])
        expectReportError(.resolver) { _ = try LDNSStubResolver(servers: ["resolver.example.test"]) }
        expectReportError(.resolver) { _ = try LDNSStubResolver(servers: ["192.0.2.1:99999"]) }
        expectReportError(.resolver) { _ = try LDNSStubResolver(servers: ["127.0.0.1"], timeoutSeconds: 0) }
    }
}
