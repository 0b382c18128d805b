import Foundation
import IPC
import MailAuth
import SystemIO
import TestSupport
import Testing

/// The worker-side client against a fake helper on a thread: pipelining,
/// answers out of order, duplicates, deadlines, a dead helper.
@Suite struct DNSHelperClientTests {
    /// A socketpair: [0] for the client, [1] for the fake helper.
    func pair() throws -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        return (fds[0], fds[1])
    }

    /// Reads `count` queries from `fd` (blocking).
    static func readQueries(_ fd: Int32, count: Int, buffer: inout IPCInbox) -> [(UInt32, DNSQuestion)] {
        var queries: [(UInt32, DNSQuestion)] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while queries.count < count {
            while let message = try? buffer.next(WorkerToDNSHelper.self) {
                let frame = IPCFrame(message.kind, payload: message.payload)
                if case .query(let id, let question)? = try? DNSIPCMessage(frame: frame) { queries.append((id, question)) }
            }
            if queries.count >= count { break }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, min($0.count, buffer.readCapacity), 0) }
            if n <= 0 { break }
            guard (try? buffer.append(chunk[0..<n])) != nil else { break }
        }
        return queries
    }

    static func write(_ fd: Int32, _ messages: [DNSIPCMessage]) {
        let bytes = messages.flatMap { $0.frame.encoded() }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }

    static func outcome(for question: DNSQuestion) -> DNSOutcome {
        .answer([.txt(question.name, question.type.description)], ttl: 60)
    }

    @Test func pipelinedBatchWithAnswersInReverseOrder() throws {
        let (client, helper) = try pair()
        defer { close(client); close(helper) }
        let received = LockedBox<[DNSQuestion]>([])
        let thread = Thread {
            var buffer = IPCInbox(receiving: WorkerToDNSHelper.self)
            let queries = Self.readQueries(helper, count: 3, buffer: &buffer)
            received.set(queries.map(\.1))
            Self.write(helper, queries.reversed().map { .answer(id: $0.0, outcome: Self.outcome(for: $0.1)) })
        }
        thread.start()
        let questions = [
            DNSQuestion(name: "a.test", type: .a),
            DNSQuestion(name: "b.test", type: .mx),
            DNSQuestion(name: "A.Test.", type: .a),     // the same question as the first: asked once
            DNSQuestion(name: "c.test", type: .txt),
        ]
        let dns = DNSHelperClient(fd: client, timeoutSeconds: 5)
        let outcomes = dns.lookup(questions)
        #expect(outcomes.count == 4)
        #expect(outcomes[0] == Self.outcome(for: questions[0]))
        #expect(outcomes[1] == Self.outcome(for: questions[1]))
        #expect(outcomes[2] == outcomes[0])
        #expect(outcomes[3] == Self.outcome(for: questions[3]))
        #expect(received.get().map(\.name) == ["a.test", "b.test", "c.test"])
        #expect(dns.lookup([]).isEmpty)
    }

    @Test func silentHelperTimesOutAndLateAnswersAreIgnored() throws {
        let (client, helper) = try pair()
        defer { close(client); close(helper) }
        let dns = DNSHelperClient(fd: client, timeoutSeconds: 0.3)
        let start = monotonicSeconds()
        #expect(dns.lookup(name: "slow.test", type: .a) == .timeout)
        let elapsed = monotonicSeconds() - start
        #expect(elapsed >= 0.25 && elapsed < 2)
        #expect(!dns.isBroken)

        // The answer to the first batch arrives during the second one: it
        // must not be taken for the second answer.
        let thread = Thread {
            var buffer = IPCInbox(receiving: WorkerToDNSHelper.self)
            let queries = Self.readQueries(helper, count: 2, buffer: &buffer)
            guard queries.count == 2 else { return }
            Self.write(helper, [.answer(id: queries[0].0, outcome: .nxdomain), .answer(id: queries[1].0, outcome: .nodata)])
        }
        thread.start()
        dns.timeoutSeconds = 5
        #expect(dns.lookup(name: "next.test", type: .a) == .nodata)
    }

    @Test func deadHelperFailsFastFromThenOn() throws {
        let (client, helper) = try pair()
        defer { close(client) }
        close(helper)
        let dns = DNSHelperClient(fd: client, timeoutSeconds: 5)
        let start = monotonicSeconds()
        #expect(dns.lookup([DNSQuestion(name: "a.test", type: .a), DNSQuestion(name: "b.test", type: .a)]) == [.timeout, .timeout])
        #expect(dns.isBroken)
        #expect(dns.lookup(name: "c.test", type: .a) == .timeout)
        #expect(monotonicSeconds() - start < 1)
    }

    @Test func garbageFromTheHelperBreaksTheChannel() throws {
        let (client, helper) = try pair()
        defer { close(client); close(helper) }
        let thread = Thread {
            var buffer = IPCInbox(receiving: WorkerToDNSHelper.self)
            _ = Self.readQueries(helper, count: 1, buffer: &buffer)
            let junk: [UInt8] = [0, 0, 0, 0, 0]   // a zero-length frame
            _ = junk.withUnsafeBytes { Glibc.send(helper, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        thread.start()
        let dns = DNSHelperClient(fd: client, timeoutSeconds: 5)
        #expect(dns.lookup(name: "a.test", type: .a) == .timeout)
        #expect(dns.isBroken)
    }

    @Test func largeBatchesAreSentInWindows() throws {
        let (client, helper) = try pair()
        defer { close(client); close(helper) }
        let total = DNSIPCMessage.maximumInFlightPerChannel * 2 + 10
        let maximumOutstanding = LockedBox(0)
        let thread = Thread {
            var buffer = IPCInbox(receiving: WorkerToDNSHelper.self)
            var answered = 0
            while answered < total {
                // Everything the client sent before waiting: one window.
                let window = min(DNSIPCMessage.maximumInFlightPerChannel, total - answered)
                let queries = Self.readQueries(helper, count: window, buffer: &buffer)
                guard queries.count == window else { return }
                // Queries beyond the window would still be in the inbox or
                // the socket.
                var unread: Int32 = 0
                _ = ioctl(helper, UInt(FIONREAD), &unread)
                maximumOutstanding.set(max(maximumOutstanding.get(), queries.count + (buffer.bufferedBytes + Int(unread)) / 20))
                Self.write(helper, queries.map { .answer(id: $0.0, outcome: Self.outcome(for: $0.1)) })
                answered += window
            }
        }
        thread.start()
        let questions = (0..<total).map { DNSQuestion(name: "n\($0).test", type: .a) }
        let outcomes = DNSHelperClient(fd: client, timeoutSeconds: 10).lookup(questions)
        #expect(outcomes == questions.map(Self.outcome(for:)))
        #expect(maximumOutstanding.get() <= DNSIPCMessage.maximumInFlightPerChannel)
    }

    /// What the helper says may be kept is answered from the worker's own
    /// cache until then, without a round trip; what it says not to keep
    /// (keep 0, as for every failure) is asked again.
    @Test func keptAnswersAreServedWithoutTheHelper() throws {
        let (client, helper) = try pair()
        defer { close(client); close(helper) }
        let asked = LockedBox<[String]>([])
        let thread = Thread {
            var buffer = IPCInbox(receiving: WorkerToDNSHelper.self)
            // First batch: both names; second batch: only the one not kept.
            for expected in [2, 1] {
                let queries = Self.readQueries(helper, count: expected, buffer: &buffer)
                asked.set(asked.get() + queries.map(\.1.name))
                Self.write(helper, queries.map { query in
                    query.1.name == "kept.test"
                        ? .answer(id: query.0, outcome: .answer([.a("192.0.2.7")], ttl: 300), keepSeconds: 300)
                        : .answer(id: query.0, outcome: .servfail, keepSeconds: 0)
                })
            }
        }
        thread.start()
        let dns = DNSHelperClient(fd: client, timeoutSeconds: 5)
        let questions = [DNSQuestion(name: "kept.test", type: .a), DNSQuestion(name: "failing.test", type: .a)]
        #expect(dns.lookup(questions) == [.answer([.a("192.0.2.7")], ttl: 300), .servfail])
        let again = dns.lookup(questions)
        #expect(again[0].records == [.a("192.0.2.7")])
        #expect(again[1] == .servfail)
        #expect(asked.get() == ["kept.test", "failing.test", "failing.test"])
        #expect(dns.cacheHits == 1)
        #expect(dns.helperQueries == 3)
    }
}
