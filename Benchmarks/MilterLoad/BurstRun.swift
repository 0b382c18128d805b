#if canImport(Glibc)
import Glibc
#endif
import BenchSupport
import IPC
import Milter
import MilterClient
import SystemIO

/// `--burst N`: N MTAs connect at the same moment (a small pool cannot
/// serve them all) and each sends option negotiation, as Postfix does.
/// Measures how long each waits for its first answer: a negotiation reply
/// (a worker took it; the message is then sent to the end) or the master
/// closing it (the MTA would apply its milter_default_action). An
/// exhausted pool must answer everyone within about
/// connection_queue_timeout, never leave an MTA to its own timeout.
final class BurstRun {
    let options: BenchOptions

    enum Outcome { case pending, served, closed, failed }

    final class Connection {
        let fd: Int32
        let started: Double
        var firstAnswer: Double?
        var outcome = Outcome.pending
        var negotiated = false
        var pendingOut: [UInt8] = []
        var conversation: Conversation
        init(fd: Int32, started: Double, conversation: Conversation) {
            self.fd = fd
            self.started = started
            self.conversation = conversation
        }
    }

    init(options: BenchOptions) { self.options = options }

    /// Enough descriptors for every connection of the burst.
    static func raiseDescriptorLimit(to wanted: Int) {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let target = min(limit.rlim_max, rlim_t(wanted + 64))
        if limit.rlim_cur < target {
            limit.rlim_cur = target
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    /// A non-blocking connect; the kernel finishes it while the others start.
    func startConnect(index: Int) -> Connection? {
        let started = monotonicSeconds()
        let fd = options.endpoints[0].connect(nonBlocking: true)
        guard fd >= 0 else { return nil }
        let commands = MessageSource.commands(MessageSource.syntheticMessage(index: index, bodyBytes: options.bodyBytes))
        let c = Connection(fd: fd, started: started, conversation: Conversation(fd: fd, commands: commands, started: started))
        c.pendingOut = c.conversation.script.nextStep()
        return c
    }

    func run() {
        BurstRun.raiseDescriptorLimit(to: options.burst)
        var connections: [Connection] = []
        var connectFailures = 0
        let begin = monotonicSeconds()
        for index in 0..<options.burst {
            if let c = startConnect(index: index) { connections.append(c) } else { connectFailures += 1 }
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        // Bounded: nothing may wait longer than 60 s (Postfix's own
        // milter timeouts are 30 s).
        while monotonicSeconds() - begin < 60 {
            let open = connections.filter { $0.outcome == .pending }
            if open.isEmpty { break }
            var fds = open.map { c in
                pollfd(fd: c.fd, events: Int16(POLLIN) | (c.pendingOut.isEmpty ? 0 : Int16(POLLOUT)), revents: 0)
            }
            if poll(&fds, nfds_t(fds.count), 1000) <= 0 { continue }
            for (i, c) in open.enumerated() where fds[i].revents != 0 {
                if fds[i].revents & Int16(POLLOUT) != 0 && !c.pendingOut.isEmpty { flush(c) }
                if fds[i].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 { read(c, into: &buffer) }
            }
        }
        for c in connections where c.outcome == .pending { close(c.fd) }
        report(connections, connectFailures: connectFailures, elapsed: monotonicSeconds() - begin)
    }

    private func flush(_ c: Connection) {
        let n = c.pendingOut.withUnsafeBytes { send(c.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n > 0 { c.pendingOut.removeFirst(n) } else if n < 0 && errno != EAGAIN && errno != EINPROGRESS { finish(c, .closed) }
    }

    private func finish(_ c: Connection, _ outcome: Outcome) {
        if c.firstAnswer == nil { c.firstAnswer = monotonicSeconds() - c.started }
        c.outcome = outcome
        close(c.fd)
    }

    private func read(_ c: Connection, into buffer: inout [UInt8]) {
        let n = buffer.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, 0) }
        if n < 0 && errno == EAGAIN { return }
        if n <= 0 {
            // Closed or reset: before negotiation this is the master's
            // answer for a full pool; after it, a failure.
            finish(c, c.negotiated ? .failed : .closed)
            return
        }
        c.conversation.decoder.append(buffer[0..<n])
        while true {
            let response: MilterResponse?
            do { response = try c.conversation.decoder.next() } catch { finish(c, .failed); return }
            guard let response else { return }
            if !response.isFinal { continue }
            if !c.negotiated {
                c.negotiated = true
                if case .optionNegotiation(_, _, let steps) = response { c.conversation.script.negotiated(steps) }
                c.firstAnswer = monotonicSeconds() - c.started
            }
            if c.conversation.script.endOfMessageSent {
                // End of message answered; QUIT needs no reply.
                _ = MilterCommand.quit.encoded().withUnsafeBytes {
                    send(c.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                finish(c, .served)
                return
            }
            // The rest of the conversation, one reply at a time (the
            // socket buffer takes a whole step on loopback).
            let out = c.conversation.script.nextStep()
            c.pendingOut.append(contentsOf: out)
            flush(c)
        }
    }

    private func report(_ connections: [Connection], connectFailures: Int, elapsed: Double) {
        func summary(_ label: String, _ outcome: Outcome) {
            let times = connections.filter { $0.outcome == outcome }.compactMap(\.firstAnswer).sorted()
            guard !times.isEmpty else { print("\(label): 0"); return }
            func at(_ p: Double) -> String { format(Statistics.percentile(times, p) * 1000) }
            print("\(label): \(times.count), first answer after p50 \(at(0.5)) ms, p90 \(at(0.9)) ms, p99 \(at(0.99)) ms, max \(at(1)) ms")
        }
        print("burst: \(options.burst) connections at once, \(connectFailures) could not start, all answered or given up after \(format(elapsed * 1000)) ms")
        summary("served (negotiated, message to the end)", .served)
        summary("closed by the master before negotiation (MTA applies milter_default_action)", .closed)
        summary("failed after negotiation", .failed)
        let unanswered = connections.filter { $0.outcome == .pending }.count
        print("unanswered after 60 s: \(unanswered)")
        let all = connections.compactMap(\.firstAnswer)
        let buckets: [(String, ClosedRange<Double>)] = [("< 10 ms", 0...0.01), ("10-100 ms", 0.01...0.1), ("0.1-1 s", 0.1...1),
                                                        ("1-3 s", 1...3), ("3-30 s", 3...30), ("> 30 s", 30...1e9)]
        var line = "time to first answer:"
        for (label, range) in buckets {
            line += " \(label): \(all.filter { range.contains($0) && $0 != range.upperBound }.count);"
        }
        print(line)
    }
}
