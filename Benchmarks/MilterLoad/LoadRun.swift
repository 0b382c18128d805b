#if canImport(Glibc)
import Glibc
#endif
import Milter
import MilterClient
import Shared

/// Drives K connections from one thread with poll(2): each connection
/// walks through a MessageScript, sending the next command when the reply
/// to the previous one has arrived.
final class LoadRun {
    let options: BenchOptions

    final class Conversation {
        let fd: Int32
        var script: MilterClientScript
        var decoder = MilterResponseDecoder()
        let started: Double
        var headerChanges = 0
        init(fd: Int32, commands: [MilterCommand], started: Double) {
            self.fd = fd
            self.script = MilterClientScript(commands)
            self.started = started
        }
    }

    struct Result {
        var latencies: [Double] = []
        var failures = 0
        var headerChanges = 0
        var elapsed = 0.0
        var lastFailure = ""

        func report(options: BenchOptions) {
            let sorted = latencies.sorted()
            func percentile(_ p: Double) -> Double {
                guard !sorted.isEmpty else { return 0 }
                return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))] * 1000
            }
            let rate = Double(latencies.count) / max(elapsed, 1e-9)
            print("messages: \(latencies.count) ok, \(failures) failed, concurrency \(options.concurrency), body \(options.bodyBytes) bytes")
            if failures > 0 { print("last failure: \(lastFailure)") }
            print("throughput: \(format(rate)) messages/s over \(format(elapsed)) s")
            print("latency: p50 \(format(percentile(0.5))) ms, p99 \(format(percentile(0.99))) ms, max \(format(percentile(1.0))) ms")
            print("header changes per message: \(format(Double(headerChanges) / Double(max(1, latencies.count))))")
            if let pidfile = options.pidfile { ProcessMemory.report(pidfile: pidfile) }
        }
    }

    init(options: BenchOptions) { self.options = options }

    func connectSocket() -> Int32 {
        MilterClientConnection.connectSocket(host: options.host, port: options.port, noDelay: true)
    }

    func run() -> Result {
        var result = Result()
        var active: [Conversation] = []
        var started = 0
        let begin = monotonicSeconds()
        func fail(_ c: Conversation, _ why: String) {
            result.failures += 1
            result.lastFailure = why
            close(c.fd)
        }
        while started < options.messages || !active.isEmpty {
            while active.count < options.concurrency && started < options.messages {
                let fd = connectSocket()
                if fd < 0 { result.failures += 1; result.lastFailure = "connect: \(String(cString: strerror(errno)))"; started += 1; continue }
                let c = Conversation(fd: fd, commands: MessageScript.commands(index: started, bodyBytes: options.bodyBytes), started: monotonicSeconds())
                started += 1
                if sendUntilReplyNeeded(c) { active.append(c) } else { fail(c, "send failed") }
            }
            var fds = active.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), 30_000) <= 0 {
                for c in active { fail(c, "no reply within 30 s") }
                active.removeAll()
                continue
            }
            var keep: [Conversation] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            for (i, c) in active.enumerated() {
                guard fds[i].revents != 0 else { keep.append(c); continue }
                let n = buffer.withUnsafeMutableBytes { read(c.fd, $0.baseAddress, $0.count) }
                if n <= 0 { fail(c, "connection closed by the milter"); continue }
                c.decoder.append(buffer[0..<n])
                var alive = true
                var done = false
                while alive && !done {
                    let response: MilterResponse?
                    do { response = try c.decoder.next() } catch { fail(c, "bad reply: \(error)"); alive = false; break }
                    guard let response else { break }
                    c.script.received(response)
                    if !response.isFinal { c.headerChanges += 1; continue }
                    switch response {
                    case .continue, .accept, .optionNegotiation: break
                    default: fail(c, "unexpected reply \(response)"); alive = false; continue
                    }
                    if c.script.remaining <= 1 {
                        // EOM answered; QUIT follows without a reply.
                        result.latencies.append(monotonicSeconds() - c.started)
                        result.headerChanges += c.headerChanges
                        _ = sendUntilReplyNeeded(c)
                        close(c.fd)
                        done = true
                    } else if !sendUntilReplyNeeded(c) {
                        fail(c, "send failed"); alive = false
                    }
                }
                if alive && !done { keep.append(c) }
            }
            active = keep
        }
        result.elapsed = monotonicSeconds() - begin
        return result
    }

    /// Sends commands up to and including the next one that needs a reply.
    func sendUntilReplyNeeded(_ c: Conversation) -> Bool {
        let out = c.script.nextStep()
        var offset = 0
        while offset < out.count {
            let n = out.withUnsafeBytes { send(c.fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}

func format(_ value: Double) -> String {
    let scaled = (value * 10).rounded() / 10
    return String(scaled)
}
