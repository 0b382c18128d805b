#if canImport(Glibc)
import Glibc
#endif
import Milter
import MilterClient

/// What a load run needs of one message's connection, milter or SMTP.
protocol LoadConversation: AnyObject {
    var fd: Int32 { get }
    var headerChanges: [MilterResponse] { get }
    var leadingSpace: Bool { get }
    func sendNextStep() -> Bool
    func receive(into buffer: inout [UInt8]) -> LoadProgress
    func quit()
}

/// What a batch of replies meant.
enum LoadProgress {
    /// Waiting for more bytes.
    case waiting
    /// The verdict on the message (the milter's final reply to end of
    /// message or an early accept; SMTP's reply to the end of data).
    case finished(MilterResponse)
    case failed(String)
}

/// One milter connection carrying one message, as the MTA drives it: the
/// script's next step goes out when the reply to the previous one has
/// come; option negotiation's answer sets the protocol steps; header
/// changes are collected; a `skip` to a body chunk ends the body.
final class Conversation: LoadConversation {
    let fd: Int32
    var script: MilterClientScript
    var decoder = MilterResponseDecoder()
    let started: Double
    /// Header changes (add, insert, change) the milter asked for.
    var headerChanges: [MilterResponse] = []
    var negotiated = false

    init(fd: Int32, commands: [MilterCommand], started: Double) {
        self.fd = fd
        self.script = MilterClientScript(commands)
        self.started = started
    }

    /// Whether the milter keeps the space after the header colon.
    var leadingSpace: Bool { script.steps.contains(.headerLeadingSpace) }

    /// Sends the commands up to and including the next one that needs a
    /// reply (all of a step, however the socket takes it).
    func sendNextStep() -> Bool {
        send(script.nextStep())
    }

    func send(_ out: [UInt8]) -> Bool {
        var offset = 0
        while offset < out.count {
            let n = out.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Reads what is there and acts on every whole reply.
    func receive(into buffer: inout [UInt8]) -> LoadProgress {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return .waiting }
        if n <= 0 { return .failed("connection closed by the milter") }
        decoder.append(buffer[0..<n])
        while true {
            let response: MilterResponse?
            do { response = try decoder.next() } catch { return .failed("bad reply: \(error)") }
            guard let response else { return .waiting }
            switch response {
            case .addHeader, .insertHeader, .changeHeader:
                headerChanges.append(response)
                continue
            case .quarantine, .progress:
                continue
            case .optionNegotiation(_, _, let steps):
                guard !negotiated else { return .failed("a second option negotiation reply") }
                negotiated = true
                script.negotiated(steps)
            case .skip:
                script.skipBody()
            case .continue:
                if script.endOfMessageSent { return .finished(response) }
            case .accept:
                return .finished(response)
            default:
                return .failed("unexpected reply \(response)")
            }
            if !sendNextStep() { return .failed("send failed") }
        }
    }

    /// Ends the conversation as Postfix does after the verdict (QUIT needs
    /// no reply) and closes the socket.
    func quit() {
        _ = send(MilterCommand.quit.encoded())
        close(fd)
    }
}
