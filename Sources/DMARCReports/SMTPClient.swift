#if canImport(Glibc)
import Glibc
#endif
import IPC
import SMTP
import SystemIO

/// A small blocking SMTP client (RFC 5321) over POSIX sockets, for the
/// report sender, which runs outside the milter's sandbox:
///
///     let client = SMTPClient(heloName: "mx.example.com", timeoutSeconds: 30)
///     let delivery = try client.send(host: "127.0.0.1", port: 25, from: "dmarc@example.com",
///                                    recipients: ["reports@example.net"], message: bytes)
///
/// One connection per `send`: banner, EHLO (HELO when EHLO is refused with
/// a 5xx), MAIL FROM (with `SIZE=` when the server announces SIZE, and no
/// attempt when the message is over the announced limit), one RCPT TO per
/// recipient (the transaction goes on when at least one is accepted; every
/// reply is reported), DATA with the message's line ends turned into CRLF
/// and lines starting with "." dot-stuffed, then QUIT.
///
/// Every wait is bounded: connecting to each address, each reply (all its
/// lines), and each stall while writing take at most `timeoutSeconds`;
/// reply lines longer than `maximumLineLength` and replies of more than
/// `maximumReplyLines` lines end the transaction. Host names are resolved
/// with getaddrinfo (the system resolver, whose own timeouts apply).
///
/// Limitation: no STARTTLS and no AUTH. Reports are meant to go through a
/// local smarthost (the MTA on the same machine or network), which does
/// the TLS and the retries; sending straight to the Internet works but is
/// unencrypted.
public struct SMTPClient: Sendable {
    /// One server reply: the code and the text of each line.
    public struct Reply: Sendable, Hashable, CustomStringConvertible {
        public var code: Int
        /// Each line's text after the code and separator.
        public var lines: [String]

        public init(code: Int, lines: [String]) {
            self.code = code
            self.lines = lines
        }

        /// "250 first line / second line".
        public var description: String { "\(code) " + lines.joined(separator: " / ") }
        public var isPositive: Bool { (200..<300).contains(code) }
        public var isIntermediate: Bool { (300..<400).contains(code) }
        public var isPermanentFailure: Bool { (500..<600).contains(code) }
    }

    /// What the server said about one recipient.
    public struct RecipientReply: Sendable, Hashable {
        public var recipient: String
        public var reply: Reply
        public var accepted: Bool { reply.isPositive }
    }

    /// A message the server took responsibility for.
    public struct Delivery: Sendable, Hashable {
        /// Every recipient's RCPT TO reply, in the order given.
        public var recipients: [RecipientReply]
        /// The reply to the end of the message (its text usually holds the
        /// server's queue id).
        public var dataReply: Reply
        /// The recipients the server accepted.
        public var accepted: [String] { recipients.filter(\.accepted).map(\.recipient) }
    }

    /// The name sent with EHLO/HELO (this host's name).
    public var heloName: String
    public var timeoutSeconds: Double
    /// The longest reply line accepted, in bytes without CRLF (RFC 5321
    /// section 4.5.3.1.5 allows 512; some servers send longer).
    public var maximumLineLength: Int
    /// The most lines one reply may have.
    public var maximumReplyLines: Int

    public init(heloName: String, timeoutSeconds: Double = 60, maximumLineLength: Int = 2048, maximumReplyLines: Int = 100) {
        self.heloName = heloName
        self.timeoutSeconds = timeoutSeconds
        self.maximumLineLength = maximumLineLength
        self.maximumReplyLines = maximumReplyLines
    }

    /// Sends one message. `host` is an IPv4 or IPv6 literal (brackets
    /// allowed) or a name; `from` may be empty (the null reverse-path).
    /// Throws on anything but a 2xx at the end of the message; a 4xx/5xx
    /// for some recipients is not an error when another was accepted.
    public func send(host: String, port: UInt16 = 25, from: String, recipients: [String], message: [UInt8]) throws(ReportError) -> Delivery {
        guard Self.isCommandSafe(heloName), !heloName.isEmpty else {
            throw ReportError(stage: .hello, detail: "the HELO name \"\(heloName.prefix(80))\" cannot be sent", isPermanent: true)
        }
        guard from.isEmpty || Self.isCommandSafe(from) else {
            throw ReportError(stage: .mailFrom, detail: "the sender address \"\(from.prefix(80))\" cannot be sent", isPermanent: true)
        }
        guard !recipients.isEmpty else {
            throw ReportError(stage: .recipient, detail: "no recipients", isPermanent: true)
        }
        if let bad = recipients.first(where: { $0.isEmpty || !Self.isCommandSafe($0) }) {
            throw ReportError(stage: .recipient, detail: "the recipient address \"\(bad.prefix(80))\" cannot be sent", isPermanent: true)
        }
        let payload = Self.dataPayload(message)
        let connection = try SMTPConnection.open(host: host, port: port, timeoutSeconds: timeoutSeconds,
                                                 maximumLineLength: maximumLineLength, maximumReplyLines: maximumReplyLines)
        do {
            let delivery = try transaction(on: connection, from: from, recipients: recipients, payload: payload)
            connection.quit(waitForReply: true)
            return delivery
        } catch {
            // A refusal leaves a working session: say goodbye without
            // waiting. After a timeout or garbage, just hang up.
            connection.quit(waitForReply: false)
            throw error
        }
    }

    private func transaction(on connection: SMTPConnection, from: String, recipients: [String], payload: [UInt8]) throws(ReportError) -> Delivery {
        try expect(connection.readReply(stage: .banner), at: .banner) { $0.code == 220 }

        try connection.write("EHLO \(heloName)\r\n", stage: .hello)
        var sizeLimit: UInt64? = nil
        var announcesSize = false
        let ehlo = try connection.readReply(stage: .hello)
        if ehlo.isPositive {
            for line in ehlo.lines.dropFirst() {
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                guard let keyword = words.first, keyword.uppercased() == "SIZE" else { continue }
                announcesSize = true
                if words.count > 1, let limit = UInt64(words[1]), limit > 0 { sizeLimit = limit }
            }
        } else if ehlo.isPermanentFailure && ehlo.code != 554 {
            // An old server that does not know EHLO (RFC 5321 section 3.2).
            try connection.write("HELO \(heloName)\r\n", stage: .hello)
            try expect(connection.readReply(stage: .hello), at: .hello) { $0.isPositive }
        } else {
            try expect(ehlo, at: .hello) { $0.isPositive }
        }

        // The size as the server counts it: the message as sent, without
        // the terminating ".\r\n" (RFC 1870 section 3).
        let size = UInt64(payload.count - 3)
        if let sizeLimit, size > sizeLimit {
            throw ReportError(stage: .mailFrom, detail: "the message is \(size) bytes, over the server's SIZE limit of \(sizeLimit)", isPermanent: true)
        }
        try connection.write("MAIL FROM:<\(from)>" + (announcesSize ? " SIZE=\(size)" : "") + "\r\n", stage: .mailFrom)
        try expect(connection.readReply(stage: .mailFrom), at: .mailFrom) { $0.isPositive }

        var replies: [RecipientReply] = []
        for recipient in recipients {
            try connection.write("RCPT TO:<\(recipient)>\r\n", stage: .recipient)
            let reply = try connection.readReply(stage: .recipient)
            if reply.code == 421 {
                // The server is closing the session: nothing more will work.
                throw Self.failure(reply, at: .recipient)
            }
            replies.append(RecipientReply(recipient: recipient, reply: reply))
        }
        guard replies.contains(where: \.accepted) else {
            let list = replies.map { "<\($0.recipient)>: \($0.reply)" }.joined(separator: "; ")
            throw ReportError(stage: .recipient, reply: replies.last?.reply, detail: "every recipient was refused: \(list)",
                            isPermanent: replies.allSatisfy { $0.reply.isPermanentFailure })
        }

        try connection.write("DATA\r\n", stage: .data)
        try expect(connection.readReply(stage: .data), at: .data) { $0.code == 354 }
        try connection.write(payload, stage: .message)
        let dataReply = try connection.readReply(stage: .message)
        try expect(dataReply, at: .message) { $0.isPositive }
        return Delivery(recipients: replies, dataReply: dataReply)
    }

    /// Throws unless `reply` is what `wanted` says.
    private func expect(_ reply: Reply, at stage: SMTPStage, _ wanted: (Reply) -> Bool) throws(ReportError) {
        guard !wanted(reply) else { return }
        throw Self.failure(reply, at: stage)
    }

    private static func failure(_ reply: Reply, at stage: SMTPStage) -> ReportError {
        let unexpected = (400..<600).contains(reply.code) ? "" : "unexpected reply "
        return ReportError(stage: stage, reply: reply, detail: unexpected + reply.description, isPermanent: reply.isPermanentFailure)
    }

    /// Whether text can go into a command line: printable ASCII, no `<`
    /// or `>` (it sits inside angle brackets or after EHLO).
    static func isCommandSafe(_ text: String) -> Bool {
        text.utf8.count <= 320 && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
    }

    /// The bytes sent after DATA: every line end (CRLF, bare LF, bare CR)
    /// becomes CRLF, a line starting with "." gets another "." (RFC 5321
    /// section 4.5.2), a last line without an end gets one, and ".\r\n"
    /// ends the message.
    public static func dataPayload(_ message: [UInt8]) -> [UInt8] {
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n"), dot = UInt8(ascii: ".")
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 32 + 5)
        var atLineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            if byte == cr || byte == lf {
                out.append(cr)
                out.append(lf)
                if byte == cr, index + 1 < message.count, message[index + 1] == lf { index += 1 }
                atLineStart = true
            } else {
                if atLineStart && byte == dot { out.append(dot) }
                out.append(byte)
                atLineStart = false
            }
            index += 1
        }
        if !atLineStart {
            out.append(cr)
            out.append(lf)
        }
        out.append(dot)
        out.append(cr)
        out.append(lf)
        return out
    }
}

/// One connected socket with a read buffer. Closes on deinit.
private final class SMTPConnection {
    private let fd: Int32
    private let timeoutSeconds: Double
    private let maximumLineLength: Int
    private let maximumReplyLines: Int
    /// Replies are read with SMTP mode's decoder (the same bounds: line
    /// length, line count, one code per reply).
    private var replies: SMTPReplyDecoder
    private let peer: String
    /// False once a read or write failed: the session is in an unknown
    /// state and only closing it makes sense.
    private var isUsable = true

    private init(fd: Int32, peer: String, timeoutSeconds: Double, maximumLineLength: Int, maximumReplyLines: Int) {
        self.fd = fd
        self.peer = peer
        self.timeoutSeconds = timeoutSeconds
        self.maximumLineLength = maximumLineLength
        self.maximumReplyLines = maximumReplyLines
        replies = SMTPReplyDecoder(maximumLines: maximumReplyLines, maximumLineBytes: maximumLineLength)
    }

    deinit { close(fd) }

    // MARK: Connecting

    /// Tries each address of `host` in getaddrinfo's order, each with the
    /// timeout, and keeps the first that connects.
    static func open(host: String, port: UInt16, timeoutSeconds: Double,
                     maximumLineLength: Int, maximumReplyLines: Int) throws(ReportError) -> SMTPConnection {
        var name = host
        if name.hasPrefix("[") && name.hasSuffix("]") && name.count > 2 {
            name = String(name.dropFirst().dropLast())
        }
        guard !name.isEmpty, !name.utf8.contains(0) else {
            throw ReportError(stage: .connect, detail: "no host to connect to", isPermanent: true)
        }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>? = nil
        let status = getaddrinfo(name, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let why = status == 0 ? "no address" : String(cString: gai_strerror(status))
            throw ReportError(stage: .connect, detail: "cannot resolve \(name): \(why)")
        }
        defer { freeaddrinfo(first) }
        var failures: [String] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let current = entry {
            entry = current.pointee.ai_next
            guard let address = current.pointee.ai_addr else { continue }
            let text = numericAddress(address, length: current.pointee.ai_addrlen, port: port)
            switch connect(address, length: current.pointee.ai_addrlen, family: current.pointee.ai_family,
                           protocol: current.pointee.ai_protocol, timeoutSeconds: timeoutSeconds) {
            case .success(let fd):
                return SMTPConnection(fd: fd, peer: text, timeoutSeconds: timeoutSeconds,
                                      maximumLineLength: maximumLineLength, maximumReplyLines: maximumReplyLines)
            case .failure(let why):
                failures.append("\(text): \(why.reason)")
            }
        }
        throw ReportError(stage: .connect, detail: "cannot connect to \(host) port \(port): " + failures.joined(separator: "; "))
    }

    

    private static func connect(_ address: UnsafeMutablePointer<sockaddr>, length: socklen_t, family: Int32,
                                protocol proto: Int32, timeoutSeconds: Double) -> Result<Int32, ReportError> {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), proto)
        guard fd >= 0 else { return .failure(ReportError(.smtp, "socket: \(SystemIOError.text(for: errno))")) }
        if Glibc.connect(fd, address, length) == 0 { return .success(fd) }
        // Not retried: an interrupted connect goes on in the background,
        // as one in progress does; the poll below waits for either.
        guard errno == EINPROGRESS || errno == EINTR else {
            let why = SystemIOError.text(for: errno)
            close(fd)
            return .failure(ReportError(.smtp, why))
        }
        let deadline = monotonicSeconds() + timeoutSeconds
        while true {
            let remaining = deadline - monotonicSeconds()
            guard remaining > 0 else {
                close(fd)
                return .failure(ReportError(.smtp, "no connection within \(timeoutSeconds) seconds"))
            }
            var poller = [pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)]
            do {
                guard try SystemCall.poll(&poller, deadline: deadline) > 0 else { continue }
            } catch {
                close(fd)
                return .failure(ReportError(.smtp, error.description))
            }
            var error: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 else {
                let why = SystemIOError.text(for: errno)
                close(fd)
                return .failure(ReportError(.smtp, why))
            }
            if error == 0 { return .success(fd) }
            close(fd)
            return .failure(ReportError(.smtp, SystemIOError.text(for: error)))
        }
    }

    private static func numericAddress(_ address: UnsafeMutablePointer<sockaddr>, length: socklen_t, port: UInt16) -> String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { return "?" }
        let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return address.pointee.sa_family == sa_family_t(AF_INET6) ? "[\(text)]:\(port)" : "\(text):\(port)"
    }

    // MARK: Writing

    func write(_ text: String, stage: SMTPStage) throws(ReportError) {
        try write(Array(text.utf8), stage: stage)
    }

    /// Writes everything; each stall (no progress) may last `timeoutSeconds`.
    func write(_ bytes: [UInt8], stage: SMTPStage) throws(ReportError) {
        do {
            try writeAll(bytes, stage: stage)
        } catch {
            isUsable = false
            throw error
        }
    }

    private func writeAll(_ bytes: [UInt8], stage: SMTPStage) throws(ReportError) {
        do {
            try SystemCall.sendAll(socket: fd, bytes: bytes, whenFull: .waitPerStall(seconds: timeoutSeconds))
        } catch where error == .deadlinePassed {
            throw ReportError(stage: stage, detail: "\(peer) accepted no data for \(timeoutSeconds) seconds")
        } catch {
            throw ReportError(stage: stage, detail: "writing to \(peer): \(error.reason)")
        }
    }

    // MARK: Reading

    /// One reply, all its lines within `timeoutSeconds`.
    func readReply(stage: SMTPStage) throws(ReportError) -> SMTPClient.Reply {
        do {
            return try readWholeReply(stage: stage)
        } catch {
            isUsable = false
            throw error
        }
    }

    private func readWholeReply(stage: SMTPStage) throws(ReportError) -> SMTPClient.Reply {
        let deadline = monotonicSeconds() + timeoutSeconds
        while true {
            do {
                if let reply = try replies.nextReply() {
                    return SMTPClient.Reply(code: reply.code, lines: reply.lines.map { Self.printable($0.utf8) })
                }
            } catch {
                switch error {
                case .lineTooLong:
                    throw overlong(stage)
                case .malformedReply(let line):
                    throw ReportError(stage: stage, detail: "malformed reply line from \(peer): \"\(Self.printable(line.utf8.prefix(120)))\"")
                case .mixedCodes(let first, let then):
                    throw ReportError(stage: stage, detail: "reply from \(peer) mixes codes \(first) and \(then)")
                case .tooManyReplyLines:
                    throw ReportError(stage: stage, detail: "reply from \(peer) has more than \(maximumReplyLines) lines")
                }
            }
            let remaining = deadline - monotonicSeconds()
            guard remaining > 0 else {
                throw ReportError(stage: stage, detail: "no complete reply from \(peer) within \(timeoutSeconds) seconds")
            }
            var poller = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            let ready: Int
            do {
                ready = try SystemCall.poll(&poller, timeoutMilliseconds: Self.milliseconds(remaining))
            } catch {
                throw ReportError(stage: stage, detail: "waiting for \(peer): \(error.reason)")
            }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n: Int
            do {
                n = try SystemCall.receiveSome(socket: fd, into: &chunk)
            } catch where error.wouldBlock {
                continue
            } catch {
                throw ReportError(stage: stage, detail: "reading from \(peer): \(error.reason)")
            }
            guard n > 0 else { throw ReportError(stage: stage, detail: "\(peer) closed the connection") }
            replies.append(chunk[..<n])
        }
    }

    private func overlong(_ stage: SMTPStage) -> ReportError {
        ReportError(stage: stage, detail: "reply line from \(peer) is longer than \(maximumLineLength) bytes")
    }

    // MARK: Ending

    /// Sends QUIT, unless the session broke, and, when asked, waits for
    /// its reply, ignoring any failure: the transaction's outcome is
    /// already known.
    func quit(waitForReply: Bool) {
        guard isUsable else { return }
        do {
            try write("QUIT\r\n", stage: .message)
            if waitForReply { _ = try readReply(stage: .message) }
        } catch {
            return
        }
    }

    // MARK: Helpers

    /// Reply text for logs: printable ASCII kept, anything else as "?".
    private static func printable(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.map { $0 >= 0x20 && $0 < 0x7f ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }

    /// A poll timeout: at least 1 ms (so a nearly spent deadline still
    /// polls once), at most a day.
    static func milliseconds(_ seconds: Double) -> Int32 {
        guard seconds.isFinite else { return seconds > 0 ? 86_400_000 : 1 }
        return Int32(max(1, min(seconds * 1000, 86_400_000)).rounded(.up))
    }
}
