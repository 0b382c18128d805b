import CShim
import Foundation
import MailAuth
import TestSupport
import Testing

/// A misbehaving resolver on a loopback port (UDP and TCP), answering by
/// question name, on its own thread:
///
///     servfail.fake.test      SERVFAIL
///     slowservfail.fake.test  SERVFAIL after 300 ms
///     refused.fake.test       REFUSED
///     big.fake.test           TC over UDP; 10 TXT records over TCP
///     garbage.fake.test       our id, then bytes that are no DNS message
///     spoof.fake.test         a wrong-id answer first, then the real one
///     chain.fake.test         only a CNAME to target.fake.test (no SOA)
///     target.fake.test        A 192.0.2.8
///     slow.fake.test          A 192.0.2.9 after 300 ms
///     drop1.fake.test         ignores the first query, answers A 192.0.2.11
///     anything else           NXDOMAIN without SOA
final class DNSHelperFakeResolver: @unchecked Sendable {
    let port: UInt16
    private let udp: Int32
    private let tcp: Int32
    private let wake: [Int32]
    private let counts = LockedBox<[String: Int]>([:])
    private let transports = LockedBox<[String]>([])
    private var thread: Thread?

    /// Listens on 127.0.0.1, or on ::1 with `ipv6`.
    init(ipv6: Bool = false) throws {
        port = try DNSHelperTestSupport.freePort()
        let family = ipv6 ? AF_INET6 : AF_INET
        udp = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        tcp = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(tcp, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var pipeFDs: [Int32] = [-1, -1]
        let port = self.port
        func bindLoopback(_ fd: Int32) -> Bool {
            if ipv6 {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = port.bigEndian
                address.sin6_addr = in6addr_loopback
                return withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
                } == 0
            }
            var address = DNSHelperTestSupport.loopback(port: port)
            return DNSHelperTestSupport.bind(fd, &address, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
        guard bindLoopback(udp), bindLoopback(tcp), listen(tcp, 16) == 0, pipe(&pipeFDs) == 0 else {
            throw DNSHelperTestSupport.Failure(description: "fake resolver cannot bind port \(port)")
        }
        wake = pipeFDs
        let thread = Thread { [self] in self.serve() }
        self.thread = thread
        thread.start()
    }

    /// Queries seen for `name` (any transport).
    func count(_ name: String) -> Int { counts.get()[name, default: 0] }
    /// "udp name" / "tcp name" in arrival order.
    var log: [String] { transports.get() }

    func stop() {
        var byte: UInt8 = 1
        _ = write(wake[1], &byte, 1)
    }

    deinit {
        stop()
        usleep(50_000)
        close(udp); close(tcp); close(wake[0]); close(wake[1])
    }

    private func serve() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var fds = [pollfd(fd: udp, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: tcp, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wake[0], events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 3, -1) > 0, fds[2].revents == 0 else { return }
            if fds[0].revents != 0 {
                var from = sockaddr_storage()
                var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let n = buffer.withUnsafeMutableBytes { raw in
                    withUnsafeMutablePointer(to: &from) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(udp, raw.baseAddress, raw.count, 0, $0, &length) }
                    }
                }
                if n > 0 {
                    for reply in answers(to: Array(buffer[0..<n]), overTCP: false) {
                        _ = reply.withUnsafeBytes { raw in
                            withUnsafePointer(to: &from) {
                                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(udp, raw.baseAddress, raw.count, 0, $0, length) }
                            }
                        }
                    }
                }
            }
            if fds[1].revents != 0 {
                let connection = accept(tcp, nil, nil)
                guard connection >= 0 else { continue }
                var query: [UInt8] = []
                while query.count < 2 || query.count < 2 + (Int(query[0]) << 8 | Int(query[1])) {
                    let n = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                    if n <= 0 { break }
                    query += buffer[0..<n]
                }
                if query.count >= 2 {
                    for reply in answers(to: Array(query.dropFirst(2)), overTCP: true) {
                        let framed = [UInt8(reply.count >> 8), UInt8(reply.count & 0xff)] + reply
                        _ = framed.withUnsafeBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    }
                }
                close(connection)
            }
        }
    }

    /// The datagrams to send back for one query.
    private func answers(to query: [UInt8], overTCP: Bool) -> [[UInt8]] {
        guard query.count > 12 else { return [] }
        var offset = 12
        var labels: [String] = []
        while offset < query.count, query[offset] != 0 {
            let length = Int(query[offset])
            guard offset + 1 + length <= query.count else { return [] }
            labels.append(String(decoding: query[(offset + 1)..<(offset + 1 + length)], as: UTF8.self).lowercased())
            offset += 1 + length
        }
        let questionEnd = offset + 5
        guard questionEnd <= query.count else { return [] }
        let name = labels.joined(separator: ".")
        var seen = 0
        counts.update { seen = $0[name, default: 0]; $0[name] = seen + 1 }
        transports.update { $0.append("\(overTCP ? "tcp" : "udp") \(name)") }
        let id = (query[0], query[1])
        let question = Array(query[12..<questionEnd])

        func message(rcode: UInt8, answers: [[UInt8]], truncated: Bool = false, id: (UInt8, UInt8)) -> [UInt8] {
            var out: [UInt8] = [id.0, id.1, 0x81 | (truncated ? 0x02 : 0), 0x80 | rcode, 0, 1, 0, UInt8(answers.count), 0, 0, 0, 0]
            out += question
            for answer in answers { out += answer }
            return out
        }
        func record(type: UInt16, rdata: [UInt8]) -> [UInt8] {
            [0xc0, 0x0c, UInt8(type >> 8), UInt8(type & 0xff), 0, 1, 0, 0, 0x01, 0x2c, UInt8(rdata.count >> 8), UInt8(rdata.count & 0xff)] + rdata
        }
        func a(_ last: UInt8) -> [UInt8] { record(type: 1, rdata: [192, 0, 2, last]) }

        switch name {
        case "servfail.fake.test":
            return [message(rcode: 2, answers: [], id: id)]
        case "slowservfail.fake.test":
            usleep(300_000)
            return [message(rcode: 2, answers: [], id: id)]
        case "refused.fake.test":
            return [message(rcode: 5, answers: [], id: id)]
        case "big.fake.test":
            if !overTCP { return [message(rcode: 0, answers: [], truncated: true, id: id)] }
            let txt = [UInt8(200)] + [UInt8](repeating: 0x78, count: 200)
            return [message(rcode: 0, answers: (0..<10).map { _ in record(type: 16, rdata: txt) }, id: id)]
        case "garbage.fake.test":
            return [[id.0, id.1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 0x3f, 0x61]]
        case "spoof.fake.test":
            return [message(rcode: 0, answers: [a(66)], id: (id.0 ^ 0xff, id.1)), message(rcode: 0, answers: [a(7)], id: id)]
        case "chain.fake.test":
            let target: [UInt8] = [6] + Array("target".utf8) + [4] + Array("fake".utf8) + [4] + Array("test".utf8) + [0]
            return [message(rcode: 0, answers: [record(type: 5, rdata: target)], id: id)]
        case "target.fake.test":
            return [message(rcode: 0, answers: [a(8)], id: id)]
        case "slow.fake.test":
            usleep(300_000)
            return [message(rcode: 0, answers: [a(9)], id: id)]
        case "drop1.fake.test":
            return seen == 0 ? [] : [message(rcode: 0, answers: [a(11)], id: id)]
        default:
            return [message(rcode: 3, answers: [], id: id)]
        }
    }
}
