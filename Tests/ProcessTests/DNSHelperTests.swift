import CShim
import Foundation
import IPC
import MailAuth
import MasterSupport
import SystemIO
import TestSupport
import Testing

/// The real `authmilter-dns` binary, jailed, against real and fake
/// resolvers on loopback.
@Suite(.serialized) struct DNSHelperTests {
    static let zone = [
        "example.test. 300 IN SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 60",
        "www.example.test. 300 IN A 192.0.2.10",
        "www.example.test. 300 IN A 192.0.2.11",
        "www.example.test. 300 IN AAAA 2001:db8::10",
        "txt.example.test. 300 IN TXT \"v=spf1 \" \"ip4:192.0.2.0/24 -all\"",
        "example.test. 300 IN MX 10 mx1.example.test.",
        "example.test. 300 IN MX 20 mx2.example.test.",
        "alias.example.test. 300 IN CNAME alias2.example.test.",
        "alias2.example.test. 120 IN CNAME www.example.test.",
        "ptr 192.0.2.10 www.example.test.",
    ] + (0..<8).map { "big.example.test. 300 IN TXT \"record \($0) " + String(repeating: "x", count: 200) + "\"" }

    @Test func answersFromARealResolverInsideTheSandbox() throws {
        let directory = try DNSHelperTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let unbound = try LocalUnbound(zone: "example.test.", localData: Self.zone, directory: directory)
        defer { unbound.stop() }
        var arguments = ["--resolver", "127.0.0.1:\(unbound.port)", "--timeout", "3", "--debug", "--ident", "test"]
        let runsAsNobody = geteuid() == 0 && getpwnam("nobody") != nil && getgrnam("nogroup") != nil
        if runsAsNobody { arguments += ["--runas", "nobody", "--rungroup", "nogroup"] }
        let helper = try SpawnedDNSHelper(arguments: arguments, directory: directory)
        let dns = try helper.client()

        let outcomes = dns.lookup([
            DNSQuestion(name: "www.example.test", type: .a),
            DNSQuestion(name: "www.example.test", type: .aaaa),
            DNSQuestion(name: "txt.example.test", type: .txt),
            DNSQuestion(name: "example.test", type: .mx),
            DNSQuestion(name: "10.2.0.192.in-addr.arpa", type: .ptr),
            DNSQuestion(name: "alias.example.test", type: .a),
            DNSQuestion(name: "nope.example.test", type: .a),
            DNSQuestion(name: "www.example.test", type: .mx),
            DNSQuestion(name: "big.example.test", type: .txt),
            DNSQuestion(name: "alias.example.test", type: .cname),
            DNSQuestion(name: "bad..name.example.test", type: .a),
        ])
        try #require(outcomes.count == 11, "\(helper.log)")
        #expect(Set(outcomes[0].records) == [.a("192.0.2.10"), .a("192.0.2.11")])
        #expect(outcomes[1].records == [.aaaa("2001:db8::10")])
        #expect(outcomes[2].records == [.txt("v=spf1 ", "ip4:192.0.2.0/24 -all")])
        #expect(outcomes[2].records.first?.joinedText == Array("v=spf1 ip4:192.0.2.0/24 -all".utf8))
        #expect(Set(outcomes[3].records) == [.mx(preference: 10, exchange: "mx1.example.test"), .mx(preference: 20, exchange: "mx2.example.test")])
        #expect(outcomes[4].records == [.ptr("www.example.test")])
        // CNAME -> CNAME -> A: the answer has the smallest TTL of the chain.
        guard case .answer(let chained, let chainTTL) = outcomes[5] else {
            Issue.record("CNAME chain: \(outcomes[5])")
            return
        }
        #expect(Set(chained) == [.a("192.0.2.10"), .a("192.0.2.11")])
        #expect(chainTTL <= 120)
        #expect(outcomes[6] == .nxdomain)
        #expect(outcomes[7] == .nodata)
        // Eight 200-byte strings do not fit in 1232 bytes: TC, then TCP.
        #expect(outcomes[8].records.count == 8, "\(outcomes[8])")
        #expect(outcomes[9].records == [.cname("alias2.example.test")])
        #expect(outcomes[10] == .error("invalid domain name"))
        #expect(helper.log.contains("retrying over TCP"))

        // The jail: seccomp filter mode, no new privileges, nobody.
        let status = DNSHelperTestSupport.status(of: helper.pid)
        #expect(status["Seccomp"] == "2", "\(status)")
        #expect(status["NoNewPrivs"] == "1", "\(status)")
        #expect(status["CapEff"] == "0000000000000000", "\(status)")
        if runsAsNobody, let nobody = getpwnam("nobody") {
            #expect(status["Uid"]?.split(separator: "\t").first.map(String.init) == String(nobody.pointee.pw_uid), "\(status)")
        }

        // A second channel (another worker) asks again: served from the
        // cache, even once the resolver is gone, with the TTL left.
        unbound.stop()
        let other = try helper.client(timeoutSeconds: 5)
        let again = other.lookup([
            DNSQuestion(name: "WWW.example.test.", type: .a),
            DNSQuestion(name: "nope.example.test", type: .a),
            DNSQuestion(name: "www.example.test", type: .mx),
        ])
        guard case .answer(let cached, let ttl) = again[0] else {
            Issue.record("not from the cache: \(again[0])\n\(helper.log)")
            return
        }
        #expect(Set(cached) == [.a("192.0.2.10"), .a("192.0.2.11")])
        #expect(ttl <= 300 && ttl > 250)
        #expect(again[1] == .nxdomain)   // negative answers live for SOA MINIMUM (60 s)
        #expect(again[2] == .nodata)
        #expect(helper.log.contains("www.example.test/A from cache"))
        #expect(helper.isRunning)
        #expect(!helper.log.contains("critical"))
    }

    @Test func misbehavingResolvers() throws {
        let directory = try DNSHelperTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fake = try DNSHelperFakeResolver()
        defer { fake.stop() }
        let helper = try SpawnedDNSHelper(arguments: ["--resolver", "127.0.0.1:\(fake.port)", "--timeout", "2", "--retry", "2",
                                                      "--servfail-timeout-us", "200000", "--debug"], directory: directory)
        let dns = try helper.client(timeoutSeconds: 5)
        #expect(dns.lookup(name: "servfail.fake.test", type: .a) == .servfail)
        #expect(dns.lookup(name: "refused.fake.test", type: .a) == .error("REFUSED"))
        let big = dns.lookup(name: "big.fake.test", type: .txt)
        #expect(big.records.count == 10, "\(big)")
        #expect(fake.log.contains("tcp big.fake.test"))
        if case .error(let text) = dns.lookup(name: "garbage.fake.test", type: .a) {
            #expect(text.hasPrefix("malformed answer"))
        } else {
            Issue.record("garbage was not reported as malformed")
        }
        #expect(helper.log.contains("malformed answer"))
        #expect(dns.lookup(name: "spoof.fake.test", type: .a).records == [.a("192.0.2.7")])
        #expect(dns.lookup(name: "chain.fake.test", type: .a).records == [.a("192.0.2.8")])
        #expect(dns.lookup(name: "missing.fake.test", type: .a) == .nxdomain)
        // Lost packet: the retry gets the answer.
        #expect(dns.lookup(name: "drop1.fake.test", type: .a).records == [.a("192.0.2.11")])
        #expect(fake.count("drop1.fake.test") == 2)
        // A SERVFAIL slower than --servfail-timeout-us counts as a timeout.
        #expect(dns.lookup(name: "slowservfail.fake.test", type: .a) == .timeout)
        #expect(helper.log.contains("over dns_servfail_timeout"))

        // Two workers ask the same slow question at once: one upstream query.
        let first = try helper.channel()
        let second = try helper.channel()
        defer { close(first); close(second) }
        for fd in [first, second] {
            let bytes = DNSIPCMessage.query(id: 1, question: DNSQuestion(name: "slow.fake.test", type: .a)).frame.encoded()
            #expect(bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) } == bytes.count)
        }
        for fd in [first, second] {
            let answer = IPCChannel(fd: fd, receiving: DNSHelperToWorker.self).receive(DNSHelperToWorker.self, timeoutMilliseconds: 5000)
            #expect(answer.flatMap { try? DNSIPCMessage(frame: IPCFrame($0.kind, payload: $0.payload)) } == .answer(id: 1, outcome: .answer([.a("192.0.2.9")], ttl: 300), keepSeconds: 300))
        }
        #expect(fake.count("slow.fake.test") == 1)
        #expect(helper.isRunning)

        // A dead first resolver (v4-mapped IPv6, port 1): the second answers
        // after the first attempt's wait (2 s / (2 servers * 3) = 333 ms).
        let failover = try SpawnedDNSHelper(arguments: ["--resolver", "[::ffff:127.0.0.1]:1", "--resolver", "127.0.0.1:\(fake.port)",
                                                        "--timeout", "2", "--retry", "2"], directory: directory)
        let start = monotonicSeconds()
        #expect(try failover.client(timeoutSeconds: 5).lookup(name: "target.fake.test", type: .a).records == [.a("192.0.2.8")])
        #expect(monotonicSeconds() - start < 1.5)
    }

    @Test(.enabled(if: DNSHelperTestSupport.hasIPv6Loopback, "this machine has no IPv6 loopback (::1)"))
    func ipv6Resolver() throws {
        let directory = try DNSHelperTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fake = try DNSHelperFakeResolver(ipv6: true)
        defer { fake.stop() }
        let helper = try SpawnedDNSHelper(arguments: ["--resolver", "[::1]:\(fake.port)", "--timeout", "2"], directory: directory)
        let dns = try helper.client(timeoutSeconds: 5)
        #expect(dns.lookup(name: "target.fake.test", type: .a).records == [.a("192.0.2.8")])
        #expect(dns.lookup(name: "big.fake.test", type: .txt).records.count == 10)   // TCP over IPv6 too
        #expect(fake.log == ["udp target.fake.test", "udp big.fake.test", "tcp big.fake.test"])
    }

    @Test func unreachableResolversTimeOutWithinTheDeadline() throws {
        let directory = try DNSHelperTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let closedPort = try DNSHelperTestSupport.freePort()
        let helper = try SpawnedDNSHelper(arguments: ["--resolver", "192.0.2.1", "--resolver", "127.0.0.1:\(closedPort)",
                                                      "--timeout", "1"], directory: directory)
        let dns = try helper.client(timeoutSeconds: 3)
        let start = monotonicSeconds()
        let outcomes = dns.lookup([DNSQuestion(name: "example.com", type: .a), DNSQuestion(name: "example.com", type: .txt)])
        let elapsed = monotonicSeconds() - start
        #expect(outcomes == [.timeout, .timeout])
        #expect(elapsed >= 0.9 && elapsed < 2.5, "took \(elapsed)s")
        let logged = DNSHelperTestSupport.eventually(2) { helper.log.contains("example.com/A timed out after") }
        #expect(logged, "\(helper.log)")
        // The failure is held for a few seconds: asking again costs nothing.
        let again = monotonicSeconds()
        #expect(dns.lookup(name: "example.com", type: .a) == .timeout)
        #expect(monotonicSeconds() - again < 0.5)
        #expect(helper.isRunning)
        #expect(DNSHelperTestSupport.status(of: helper.pid)["Seccomp"] == "2")
    }

    @Test func queriesInFlightPerChannelAreBounded() throws {
        let directory = try DNSHelperTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let closedPort = try DNSHelperTestSupport.freePort()
        let helper = try SpawnedDNSHelper(arguments: ["--resolver", "127.0.0.1:\(closedPort)", "--timeout", "2"], directory: directory)
        let fd = try helper.channel()
        defer { close(fd) }
        let limit = DNSIPCMessage.maximumInFlightPerChannel
        var bytes: [UInt8] = []
        for i in 0..<(limit + 5) {
            bytes += DNSIPCMessage.query(id: UInt32(i), question: DNSQuestion(name: "n\(i).example.com", type: .a)).frame.encoded()
        }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, 0) }
            try #require(n > 0)
            offset += n
        }
        // The excess is refused at once; the rest time out later.
        let channel = IPCChannel(fd: fd, receiving: DNSHelperToWorker.self)
        var refused: [UInt32] = []
        while refused.count < 5, let message = channel.receive(DNSHelperToWorker.self, timeoutMilliseconds: 1000) {
            if case .answer(let id, .error(let text), _)? = try? DNSIPCMessage(frame: IPCFrame(message.kind, payload: message.payload)) {
                #expect(text.contains("too many"))
                refused.append(id)
            }
        }
        #expect(refused.sorted() == (limit..<(limit + 5)).map(UInt32.init))
        #expect(helper.isRunning)
    }

    @Test func exitsWhenTheMasterCloses() throws {
        let directory = try DNSHelperTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let helper = try SpawnedDNSHelper(arguments: ["--resolver", "127.0.0.1:9"], directory: directory)
        let dns = try helper.client(timeoutSeconds: 5)
        _ = DNSHelperTestSupport.eventually(5) { helper.log.contains("ready") }
        let status = try #require(helper.closeMaster(), "helper did not exit\n\(helper.log)")
        #expect(am_wifexited(status) != 0 && am_wexitstatus(status) == 0, "\(describeExit(status: status))\n\(helper.log)")
        // Its workers then see a dead helper, not a hang.
        #expect(dns.lookup(name: "example.com", type: .a) == .timeout)
        #expect(dns.isBroken)
    }

    @Test func refusesABadCommandLine() throws {
        let directory = try DNSHelperTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for arguments in [["--resolver", "resolver.example.com"], ["--timeout", "soon"], ["--bogus"], ["--retry"]] {
            let helper = try SpawnedDNSHelper(arguments: arguments, directory: directory)
            let status = try #require(helper.waitForExit(seconds: 5))
            #expect(am_wifexited(status) != 0 && am_wexitstatus(status) == 2, "\(arguments): \(describeExit(status: status))")
            #expect(helper.log.contains("usage: authmilter-dns"), "\(helper.log)")
        }
    }
}
