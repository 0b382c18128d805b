#if canImport(Glibc)
import Glibc
#endif
import MailAuth
import ProcessLog
import SystemIO

/// One question sent to the upstream resolvers, Net::DNS style: attempts
/// per `DNSAttemptSchedule` (rounds over the resolvers, doubling waits),
/// each attempt from a fresh random id; the kernel picks a random source
/// port for each socket (Linux randomises UDP autobind ports). Answers are
/// accepted only from a resolver that was asked, with an id sent to it and
/// the same question: anything else is dropped. A truncated answer is
/// retried over TCP with the same resolver. A resolver answering SERVFAIL,
/// REFUSED, FORMERR, NOTIMP or garbage is not asked again for this
/// question and the next one is asked at once (what Net::DNS does).
final class UpstreamQuery {
    enum Failure {
        case rcode(DNSResponseCode)
        case malformed(String)
        case transport(String)
    }

    enum Event {
        case none
        /// NOERROR or NXDOMAIN from `server`.
        case response(DNSResponseMessage, server: Int)
        /// Every resolver failed; the last failure says how.
        case exhausted(Failure)
    }

    let question: DNSQuestion
    let packet: LDNSPacket.Query
    private let servers: [UpstreamServer]
    private let schedule: DNSAttemptSchedule
    private(set) var udp4: Int32 = -1
    private(set) var udp6: Int32 = -1
    private(set) var tcp: TCPExchange?
    /// When the next attempt is due (µs, monotonic); .max: none scheduled.
    private(set) var nextAttemptAt: UInt64 = .max
    private var nextAttempt = 0
    private var sent: [(id: UInt16, server: Int)] = []
    private var failed: [Int: Failure] = [:]
    private var lastFailure: Failure = .transport("no resolver could be asked")
    private var pausedAttemptAt: UInt64 = .max

    init(question: DNSQuestion, packet: LDNSPacket.Query, servers: [UpstreamServer], schedule: DNSAttemptSchedule) {
        self.question = question
        self.packet = packet
        self.servers = servers
        self.schedule = schedule
    }

    deinit {
        if udp4 >= 0 { close(udp4) }
        if udp6 >= 0 { close(udp6) }
    }

    /// Servers asked so far, for log lines.
    var askedDescription: String {
        var seen: [Int] = []
        for attempt in sent where !seen.contains(attempt.server) { seen.append(attempt.server) }
        let counts = seen.map { server in "\(servers[server].address) x\(sent.filter { $0.server == server }.count)" }
        return counts.isEmpty ? "no resolver asked" : counts.joined(separator: ", ")
    }

    func start(now: UInt64) -> Event { sendNext(now: now) }

    func timerFired(now: UInt64) -> Event {
        guard now >= nextAttemptAt else { return .none }
        return sendNext(now: now)
    }

    /// Sends the next attempt to a resolver that has not failed.
    private func sendNext(now: UInt64) -> Event {
        while nextAttempt < schedule.attempts.count {
            let attempt = schedule.attempts[nextAttempt]
            nextAttempt += 1
            guard failed[attempt.server] == nil else { continue }
            let server = servers[attempt.server]
            guard let fd = udpSocket(family: server.family) else {
                markFailed(attempt.server, .transport("cannot create a UDP socket: \(SystemIOError.text(for: errno))"))
                continue
            }
            let id = freshID()
            let bytes = packet.withID(id)
            let n = server.withSockaddr { address, length in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL), address, length) }
            }
            guard n == bytes.count else {
                markFailed(attempt.server, .transport("sending to \(server.address): \(SystemIOError.text(for: errno))"))
                continue
            }
            sent.append((id, attempt.server))
            ChildLog.debug("dns: asked \(server.address) for \(question) (id \(id))")
            nextAttemptAt = now + attempt.wait * 1000
            return .none
        }
        nextAttemptAt = .max
        if tcp == nil && failed.count == servers.count { return .exhausted(lastFailure) }
        // Attempts used up: keep listening until the lookup's deadline.
        return .none
    }

    private func freshID() -> UInt16 {
        var generator = SystemRandomNumberGenerator()
        while true {
            let id = UInt16.random(in: .min ... .max, using: &generator)
            if !sent.contains(where: { $0.id == id }) { return id }
        }
    }

    private func udpSocket(family: Int32) -> Int32? {
        let existing = family == AF_INET6 ? udp6 : udp4
        if existing >= 0 { return existing }
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        if family == AF_INET6 { udp6 = fd } else { udp4 = fd }
        return fd
    }

    private func markFailed(_ server: Int, _ failure: Failure) {
        failed[server] = failure
        lastFailure = failure
        let address = servers[server].address
        switch failure {
        case .rcode(let rcode):
            ChildLog.debug("dns: \(address) answered \(rcode) for \(question)")
        case .malformed(let why):
            // Worth a warning: a broken resolver or an attack.
            ChildLog.warning("dns: \(address) sent a malformed answer for \(question): \(why)")
        case .transport(let why):
            ChildLog.debug("dns: \(address) failed for \(question): \(why)")
        }
    }

    /// Reads every datagram waiting on `fd`.
    func udpReadable(fd: Int32, now: UInt64, buffer: inout [UInt8]) -> Event {
        while true {
            var from = sockaddr_storage()
            var fromLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let received = try? SystemCall.retryingOnInterrupt("recvfrom") {
                buffer.withUnsafeMutableBytes { raw in
                    withUnsafeMutablePointer(to: &from) { storage in
                        storage.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            recvfrom(fd, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT), $0, &fromLength)
                        }
                    }
                }
            }
            guard let n = received else { return .none }
            let event = buffer.withUnsafeBytes { raw in
                datagram(UnsafeRawBufferPointer(rebasing: raw[0..<n]), from: from, now: now)
            }
            if case .none = event { continue }
            return event
        }
    }

    private func datagram(_ bytes: UnsafeRawBufferPointer, from: sockaddr_storage, now: UInt64) -> Event {
        let askedServers = Set(sent.map(\.server))
        guard let server = askedServers.first(where: { servers[$0].matches(from) }), failed[server] == nil else {
            ChildLog.debug("dns: dropped a datagram from an address not asked for \(question)")
            return .none
        }
        let response: LDNSPacket.Response
        do {
            response = try LDNSPacket.parse(bytes)
        } catch {
            // Only blame the server if the packet carries one of our ids.
            guard bytes.count >= 2 else { return .none }
            let rawID = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
            guard sent.contains(where: { $0.id == rawID && $0.server == server }) else { return .none }
            markFailed(server, .malformed(error.description))
            return sendNext(now: now)
        }
        return handle(response, server: server, now: now, tcpID: nil) ?? .none
    }

    /// Acts on a parsed answer; nil when it does not match what was asked
    /// (and is dropped). `tcpID` is the id of the TCP exchange it came on.
    private func handle(_ response: LDNSPacket.Response, server: Int, now: UInt64, tcpID: UInt16?) -> Event? {
        let idMatches = tcpID.map { response.id == $0 } ?? sent.contains(where: { $0.id == response.id && $0.server == server })
        guard response.isResponse, idMatches, response.qclass == 1, response.qtype == question.type.rawValue,
              LDNSPacket.sameName(response.qnameWire, packet.qnameWire) else {
            ChildLog.debug("dns: dropped an answer from \(servers[server].address) that does not match \(question)")
            return nil
        }
        if response.truncated && tcpID == nil {
            guard tcp == nil else { return Event.none }
            let id = freshID()
            if let exchange = TCPExchange(server: server, upstream: servers[server], id: id, packet: packet.withID(id)) {
                ChildLog.debug("dns: truncated answer from \(servers[server].address) for \(question), retrying over TCP")
                tcp = exchange
                pausedAttemptAt = nextAttemptAt
                nextAttemptAt = .max
                return Event.none
            }
            markFailed(server, .transport("TCP to \(servers[server].address): \(SystemIOError.text(for: errno))"))
            return sendNext(now: now)
        }
        if response.message.rcode.isAnswer {
            return .response(response.message, server: server)
        }
        markFailed(server, .rcode(response.message.rcode))
        return sendNext(now: now)
    }

    /// Advances the TCP exchange on a poll event.
    func tcpEvent(revents: Int16, now: UInt64) -> Event {
        guard let exchange = tcp else { return .none }
        let outcome = exchange.handle(revents: revents)
        if case .pending = outcome { return .none }
        // The exchange is over either way: UDP attempts resume.
        tcp = nil
        nextAttemptAt = pausedAttemptAt
        switch outcome {
        case .pending:
            return .none
        case .failed(let why):
            markFailed(exchange.server, .transport(why))
            return sendNext(now: now)
        case .done(let bytes):
            let parsed: LDNSPacket.Response
            do {
                parsed = try bytes.withUnsafeBytes { raw throws(LDNSPacket.ParseError) in try LDNSPacket.parse(raw) }
            } catch {
                markFailed(exchange.server, .malformed("\(error)"))
                return sendNext(now: now)
            }
            if let event = handle(parsed, server: exchange.server, now: now, tcpID: exchange.id) { return event }
            markFailed(exchange.server, .malformed("TCP answer does not match the question"))
            return sendNext(now: now)
        }
    }
}
