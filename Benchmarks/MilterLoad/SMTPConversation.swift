#if canImport(Glibc)
import Glibc
#endif
import Milter
import MilterClient
import SMTP

/// One SMTP connection carrying one message to the daemon in SMTP mode, as
/// Postfix's content-filter transport drives it: EHLO, XFORWARD with the
/// message's client, MAIL, RCPT, DATA, the message dot-stuffed, then QUIT
/// after the final reply. Each command goes out when the previous reply has
/// come (no pipelining), as the milter conversation waits for each step.
/// The daemon relays the message (to smtp-sink in the benchmark), so its
/// header changes are not seen here.
final class SMTPConversation: LoadConversation {
    let fd: Int32
    var steps: [(send: [UInt8], expect: Int)]
    var decoder = SMTPReplyDecoder()
    var greeted = false
    let headerChanges: [MilterResponse] = []
    let leadingSpace = false

    init(fd: Int32, message: MilterClientMessage) {
        self.fd = fd
        var steps: [(send: [UInt8], expect: Int)] = [
            (Array("EHLO bench.client\r\n".utf8), 250),
            (Array("XFORWARD NAME=\(message.hostname) ADDR=\(message.address) HELO=\(message.helo)\r\n".utf8), 250),
            (Array("MAIL FROM:\(message.sender)\r\n".utf8), 250),
        ]
        for recipient in message.recipients { steps.append((Array("RCPT TO:\(recipient)\r\n".utf8), 250)) }
        steps.append((Array("DATA\r\n".utf8), 354))
        var content: [UInt8] = []
        for header in message.headers { content += Array("\(header.name): \(header.value)\r\n".utf8) }
        content += Array("\r\n".utf8) + message.body
        var stuffer = SMTPDotStuffer()
        steps.append((stuffer.stuff(content) + stuffer.terminator, 250))
        self.steps = steps
    }

    /// The greeting comes first: nothing is sent until it has.
    func sendNextStep() -> Bool { true }

    func receive(into buffer: inout [UInt8]) -> LoadProgress {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return .waiting }
        if n <= 0 { return .failed("connection closed by the daemon") }
        decoder.append(buffer[0..<n])
        while true {
            let reply: SMTPReply?
            do { reply = try decoder.nextReply() } catch { return .failed("bad reply: \(error)") }
            guard let reply else { return .waiting }
            if !greeted {
                guard reply.code == 220 else { return .failed("greeting \(reply.lastLine)") }
                greeted = true
            } else {
                let step = steps.removeFirst()
                guard reply.code == step.expect else { return .failed("\(reply.lastLine) to \(String(decoding: step.send.prefix(20), as: UTF8.self))") }
                if steps.isEmpty { return .finished(.continue) }
            }
            guard let next = steps.first, send(next.send) else { return .failed("send failed") }
        }
    }

    func send(_ out: [UInt8]) -> Bool {
        var offset = 0
        while offset < out.count {
            let n = out.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN {
                var p = [pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)]
                _ = poll(&p, 1, 30_000)
                continue
            }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    func quit() {
        _ = send(Array("QUIT\r\n".utf8))
        close(fd)
    }
}
