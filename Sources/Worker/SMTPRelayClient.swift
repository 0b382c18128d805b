#if canImport(Glibc)
import Glibc
#endif
import SMTP
import SystemIO

/// SMTP mode's downstream side: one connection to the MTA that takes the
/// checked message back (`smtp.sock_*`), on a non-blocking socket the
/// master opened (MasterToWorker `relayConnection`). Each wait is bounded
/// by `smtp.timeout_out`; any failure leaves the client broken, and the
/// next message gets a new connection.
final class SMTPRelayClient {
    enum Failure: Error {
        /// The downstream MTA answered `reply` to `command`.
        case refused(SMTPReply, command: String)
        /// No usable answer: I/O error, timeout, a malformed reply.
        case broken(String)
    }

    let fd: Int32
    let timeoutSeconds: Double
    private var decoder = SMTPReplyDecoder()
    private var buffer = [UInt8](repeating: 0, count: 8192)
    /// The downstream EHLO reply offered XFORWARD.
    private(set) var offersXForward = false
    /// The downstream EHLO reply offered PIPELINING (RFC 2920): the
    /// envelope goes in one write.
    private(set) var offersPipelining = false
    private(set) var isBroken = false

    init(fd: Int32, timeoutSeconds: Double) {
        self.fd = fd
        self.timeoutSeconds = timeoutSeconds
    }

    deinit { close(fd) }

    /// The greeting (2xx), then EHLO with our server name.
    func greet(as serverName: String) throws(Failure) {
        let greeting = try readReply(after: "(connect)")
        guard greeting.code == 220 else { throw fail(.refused(greeting, command: "(connect)")) }
        let ehlo = try command("EHLO \(serverName)", expect: 250)
        offersXForward = ehlo.lines.contains { $0.uppercased().hasPrefix("XFORWARD") }
        offersPipelining = ehlo.lines.contains { $0.uppercased() == "PIPELINING" }
    }

    /// Sends one command line and reads its reply; a reply with another
    /// first digit than `expect`'s is `refused`.
    @discardableResult
    func command(_ line: String, expect: Int) throws(Failure) -> SMTPReply {
        try send(Array((line + "\r\n").utf8))
        let reply = try readReply(after: line)
        guard reply.code / 100 == expect / 100 else { throw fail(.refused(reply, command: line)) }
        return reply
    }

    /// Sends `commands` and checks each reply against its expected code:
    /// in one write when the server pipelines, else one at a time. A
    /// refusal in a pipelined group leaves the connection out of step, so
    /// the client is marked broken (a new connection for the next message).
    func commands(_ commands: [(line: String, expect: Int)]) throws(Failure) {
        guard offersPipelining, commands.count > 1 else {
            for command in commands { try self.command(command.line, expect: command.expect) }
            return
        }
        var bytes: [UInt8] = []
        for command in commands { bytes += Array((command.line + "\r\n").utf8) }
        try send(bytes)
        var refusal: Failure?
        for command in commands {
            let reply = try readReply(after: command.line)
            if refusal == nil && reply.code / 100 != command.expect / 100 { refusal = .refused(reply, command: command.line) }
        }
        if let refusal {
            isBroken = true
            throw refusal
        }
    }

    func send(_ bytes: [UInt8]) throws(Failure) {
        guard !isBroken else { throw .broken("connection already failed") }
        do {
            try SystemCall.sendAll(socket: fd, bytes: bytes, whenFull: .waitPerStall(seconds: timeoutSeconds))
        } catch {
            throw fail(.broken("send: \(error.reason)"))
        }
    }

    func readReply(after command: String, seconds: Double? = nil) throws(Failure) -> SMTPReply {
        let deadline = monotonicSeconds() + (seconds ?? timeoutSeconds)
        while true {
            do {
                if let reply = try decoder.nextReply() { return reply }
            } catch {
                throw fail(.broken("\(error.reason) after \(Self.verb(command))"))
            }
            var p = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            let ready: Int
            do {
                ready = try SystemCall.poll(&p, deadline: deadline)
            } catch {
                throw fail(.broken("poll: \(error.reason)"))
            }
            if ready == 0 {
                if monotonicSeconds() >= deadline { throw fail(.broken("timeout after \(Self.verb(command))")) }
                continue
            }
            let n: Int
            do {
                n = try SystemCall.receiveSome(socket: fd, into: &buffer)
            } catch where error.wouldBlock {
                continue
            } catch {
                throw fail(.broken("\(error.reason) after \(Self.verb(command))"))
            }
            if n == 0 { throw fail(.broken("connection closed after \(Self.verb(command))")) }
            decoder.append(buffer[..<n])
        }
    }

    /// QUIT, and its reply read before the connection closes (RFC 5321
    /// 4.1.1.10: the client SHOULD wait for it). Closing at once made the
    /// downstream server's 221 fail, which it may log as a lost connection
    /// (Postfix's smtp-sink did, for most sessions of the benchmark). The
    /// wait is bounded by `quitWaitSeconds`, or `smtp.timeout_out` if that
    /// is shorter: the connection is being dropped anyway.
    func quit() {
        guard !isBroken else { return }
        let line = "QUIT"
        do {
            try send(Array((line + "\r\n").utf8))
            _ = try readReply(after: line, seconds: min(timeoutSeconds, Self.quitWaitSeconds))
        } catch {
            // Already marked broken; nothing more to say to this server.
        }
    }

    static let quitWaitSeconds = 5.0

    private func fail(_ failure: Failure) -> Failure {
        if case .broken = failure { isBroken = true }
        return failure
    }

    /// The command's verb for a log line (never an address).
    static func verb(_ command: String) -> String {
        String(command.prefix(while: { $0 != " " && $0 != ":" }))
    }
}
