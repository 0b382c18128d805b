#if canImport(Glibc)
import Glibc
#endif
import BenchSupport
import IPC
import Milter
import MilterClient
import SystemIO

/// Drives K messages at a time from one thread with poll(2). Each message
/// goes through the chain of milters in turn (one milter connection per
/// message and milter, as Postfix's smtpd does), the next milter seeing
/// the header changes of the ones before (Postfix applies them to the
/// queue file before the next milter reads it). A message's latency runs
/// from its first connect to the last milter's verdict.
final class LoadRun {
    let endpoints: [MilterClientEndpoint]
    let source: MessageSource
    let messages: Int
    let concurrency: Int
    /// Methods whose A-R results are compared with the mix's.
    let check: [String]
    /// Print the headers added to this many first messages.
    let showHeaders: Int
    /// The endpoints speak SMTP (the daemon in SMTP mode), not the milter
    /// protocol.
    let smtp: Bool

    /// One message on its way through the chain.
    final class Flight {
        let index: Int
        let mix: MixMessage?
        let started: Double
        var message: MilterClientMessage
        var stage = 0
        var conversation: any LoadConversation
        /// Every milter's header changes, in order.
        var changes: [MilterResponse] = []

        init(index: Int, mix: MixMessage?, message: MilterClientMessage, started: Double, conversation: any LoadConversation) {
            self.index = index
            self.mix = mix
            self.message = message
            self.started = started
            self.conversation = conversation
        }
    }

    struct Result {
        var latencies: [Double] = []
        var failures = 0
        var headerChanges = 0
        var mismatched = 0
        var mismatchesByKind: [String: Int] = [:]
        var mismatchExamples: [String] = []
        var elapsed = 0.0
        var lastFailure = ""

        var sortedLatencies: [Double] { latencies.sorted() }
        var rate: Double { Double(latencies.count) / max(elapsed, 1e-9) }

        func report(concurrency: Int, endpoints: [MilterClientEndpoint]) {
            let sorted = sortedLatencies
            print("messages: \(latencies.count) ok, \(failures) failed, concurrency \(concurrency), "
                  + "through \(endpoints.map(\.description).joined(separator: " then "))")
            if failures > 0 { print("last failure: \(lastFailure)") }
            print("throughput: \(format(rate)) messages/s over \(format(elapsed)) s")
            print("latency: p50 \(format2(Statistics.percentile(sorted, 0.5) * 1000)) ms, "
                  + "p99 \(format2(Statistics.percentile(sorted, 0.99) * 1000)) ms, max \(format2(Statistics.percentile(sorted, 1) * 1000)) ms")
            print("header changes per message: \(format(Double(headerChanges) / Double(max(1, latencies.count))))")
            if mismatched > 0 {
                let kinds = mismatchesByKind.keys.sorted().map { "\($0) \(mismatchesByKind[$0]!)" }.joined(separator: ", ")
                print("results not as the mix means them: \(mismatched) messages (\(kinds))")
                for example in mismatchExamples { print("  \(example)") }
            }
        }
    }

    init(endpoints: [MilterClientEndpoint], source: MessageSource, messages: Int, concurrency: Int,
         check: [String] = [], showHeaders: Int = 0, smtp: Bool = false) {
        self.smtp = smtp
        self.endpoints = endpoints
        self.source = source
        self.messages = messages
        self.concurrency = concurrency
        self.check = check
        self.showHeaders = showHeaders
    }

    func run() -> Result {
        var result = Result()
        var active: [Flight] = []
        var started = 0
        let begin = monotonicSeconds()
        func fail(_ flight: Flight, _ why: String) {
            result.failures += 1
            result.lastFailure = "message \(flight.index) at \(endpoints[flight.stage]): \(why)"
            close(flight.conversation.fd)
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while started < messages || !active.isEmpty {
            while active.count < concurrency && started < messages {
                let (message, mix) = source.message(started)
                let now = monotonicSeconds()
                started += 1
                guard let conversation = connect(endpoints[0], message: message, started: now) else {
                    result.failures += 1
                    result.lastFailure = "connect to \(endpoints[0]): \(String(cString: strerror(errno)))"
                    continue
                }
                active.append(Flight(index: started - 1, mix: mix, message: message, started: now, conversation: conversation))
            }
            var fds = active.map { pollfd(fd: $0.conversation.fd, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), 30_000) <= 0 {
                for flight in active { fail(flight, "no reply within 30 s") }
                active.removeAll()
                continue
            }
            var keep: [Flight] = []
            for (i, flight) in active.enumerated() {
                guard fds[i].revents != 0 else { keep.append(flight); continue }
                switch flight.conversation.receive(into: &buffer) {
                case .waiting:
                    keep.append(flight)
                case .failed(let why):
                    fail(flight, why)
                case .finished:
                    let conversation = flight.conversation
                    conversation.quit()
                    flight.changes += conversation.headerChanges
                    if flight.stage + 1 < endpoints.count {
                        // The next milter sees the message as this one left it.
                        flight.message = flight.message.applying(conversation.headerChanges, leadingSpace: conversation.leadingSpace)
                        flight.stage += 1
                        guard let next = connect(endpoints[flight.stage], message: flight.message, started: monotonicSeconds()) else {
                            result.failures += 1
                            result.lastFailure = "connect to \(endpoints[flight.stage]): \(String(cString: strerror(errno)))"
                            continue
                        }
                        flight.conversation = next
                        keep.append(flight)
                    } else {
                        result.latencies.append(monotonicSeconds() - flight.started)
                        result.headerChanges += flight.changes.count
                        examine(flight, into: &result)
                    }
                }
            }
            active = keep
        }
        result.elapsed = monotonicSeconds() - begin
        return result
    }

    /// A new conversation with `endpoint`, its first step sent.
    func connect(_ endpoint: MilterClientEndpoint, message: MilterClientMessage, started: Double) -> (any LoadConversation)? {
        let fd = endpoint.connect()
        guard fd >= 0 else { return nil }
        let conversation: any LoadConversation = smtp ? SMTPConversation(fd: fd, message: message)
            : Conversation(fd: fd, commands: MessageSource.commands(message), started: started)
        guard conversation.sendNextStep() else {
            close(fd)
            return nil
        }
        return conversation
    }

    /// Compares the A-R results with the mix's and shows the first
    /// messages' added headers.
    func examine(_ flight: Flight, into result: inout Result) {
        let added: [(name: String, value: String)] = flight.changes.compactMap {
            switch $0 {
            case .addHeader(let name, let value), .insertHeader(_, let name, let value): (name, value)
            default: nil
            }
        }
        if flight.index < showHeaders {
            print("--- message \(flight.index)" + (flight.mix.map { " (\($0.kind); meant: \($0.expected))" } ?? ""))
            for header in added { print("\(header.name): \(header.value)") }
        }
        guard let mix = flight.mix, !check.isEmpty else { return }
        let values = added.filter { $0.name.lowercased() == "authentication-results" }.map(\.value)
        let problems = AuthResultsSummary(values: values).mismatches(against: mix.expected, methods: check)
        guard !problems.isEmpty else { return }
        result.mismatched += 1
        result.mismatchesByKind[mix.kind, default: 0] += 1
        if result.mismatchExamples.count < 8 {
            result.mismatchExamples.append("message \(flight.index) (\(mix.kind)): \(problems.joined(separator: "; "))")
        }
    }
}

func format(_ value: Double) -> String {
    ResultTable.fixed(value, 1)
}

func format2(_ value: Double) -> String {
    ResultTable.fixed(value, 2)
}
