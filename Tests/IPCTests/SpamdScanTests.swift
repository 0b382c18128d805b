import Foundation
import IPC
import MailAuth
import SystemIO
import TestSupport
import Testing

/// The scanner's pieces: the worker↔scanner messages with exact limits,
/// one spamd exchange against a scripted spamd (verdict, refused, silent,
/// hung up, a unix socket), and the worker's client against a fake scanner.
@Suite struct SpamdScanTests {
    static let message = Array("Subject: hi\r\n\r\nbody\r\n".utf8)
    static let gtubeReply = ScriptedSpamd.symbolsReply(flag: "True", score: "1003.3", symbols: "GTUBE,NO_RECEIVED,NO_RELAYS")

    // MARK: Messages

    @Test func scanMessagesRoundTrip() throws {
        let verdict = SpamdVerdict(flag: "True", score: 1003.3, threshold: 5, symbols: "GTUBE,NO_RELAYS")
        let messages: [ScanIPCMessage] = [
            .scan(id: 7, user: "nobody", message: Self.message),
            .scan(id: 8, user: "", message: []),
            .result(id: 7, outcome: .scanned(verdict)),
            .result(id: 9, outcome: .failed(.unreachable("connect to 127.0.0.1:783: Connection refused"))),
            .result(id: 10, outcome: .failed(.timeout("connecting"))),
            .result(id: 11, outcome: .failed(.protocolError("x"))),
            .result(id: 12, outcome: .failed(.refused("76 Bad header line"))),
            .result(id: 13, outcome: .failed(.unavailable("gone"))),
        ]
        for message in messages {
            #expect(try ScanIPCMessage(frame: message.frame) == message)
        }
        // The scan frame's exact bytes: length, kind 60, id, user, message.
        let frame = ScanIPCMessage.scan(id: 1, user: "u", message: [65, 66]).frame.encoded()
        #expect(frame == [0, 0, 0, 12, 60, 0, 0, 0, 1, 0, 0, 0, 1, 117, 65, 66])
    }

    @Test func theInboxesRefuseWhatIsAboveTheLimits() throws {
        var scanner = IPCInbox(receiving: WorkerToScanner.self)
        let limit = WorkerToScanner.scan.maximumPayload
        #expect(limit == 4 + 4 + 255 + (4 << 20))
        let tooLong = FrameHeaderBytes.header(payloadCount: limit + 1, kind: 60)
        #expect(throws: IPCError.tooLarge(kind: "scan", payload: limit + 1, limit: limit)) { try scanner.append(tooLong[...]) }
        var worker = IPCInbox(receiving: ScannerToWorker.self)
        // A worker's channel carries results only: a scan frame is an unknown kind.
        #expect(throws: IPCError.unknownKind(60)) { try worker.append(ScanIPCMessage.scan(id: 1, user: "", message: []).frame.encoded()[...]) }
        #expect(throws: IPCError.unknownTag(9)) { try ScanIPCMessage(frame: IPCFrame(kind: 61, payload: [0, 0, 0, 1, 9, 0, 0, 0, 0])) }
        #expect(throws: IPCError.trailingBytes) { try ScanIPCMessage(frame: IPCFrame(kind: 61, payload: [0, 0, 0, 1, 5, 0, 0, 0, 0, 1])) }
    }

    // MARK: One exchange with spamd

    @Test func aVerdictFromSpamd() throws {
        let spamd = try ScriptedSpamd { _ in .reply(Self.gtubeReply) }
        defer { spamd.stop() }
        let scanner = DirectSpamdScanner(address: .inet([127, 0, 0, 1], port: spamd.port), timeoutSeconds: 5)
        let outcome = scanner.scan(message: Self.message, user: "nobody")
        #expect(outcome == .scanned(SpamdVerdict(flag: "True", score: 1003.3, threshold: 5, symbols: "GTUBE,NO_RECEIVED,NO_RELAYS")))
        // What spamd received: the request byte for byte.
        #expect(spamd.requests == [SpamdRequest.encoded(user: "nobody", message: Self.message)])
    }

    @Test func aUnixSocket() throws {
        let path = NSTemporaryDirectory() + "authmilter-spamd-test-\(getpid()).sock"
        let spamd = try ScriptedSpamd(unixSocket: path) { _ in .reply(Self.gtubeReply) }
        defer { spamd.stop() }
        let address = try #require(SpamdAddress.unixSocket(path))
        guard case .scanned(let verdict) = DirectSpamdScanner(address: address, timeoutSeconds: 5).scan(message: Self.message, user: "x") else {
            Issue.record("no verdict over the unix socket")
            return
        }
        #expect(verdict.flag == "True")
    }

    @Test func nobodyListening() throws {
        let port = try Loopback.freePort()
        let outcome = DirectSpamdScanner(address: .inet([127, 0, 0, 1], port: port), timeoutSeconds: 5).scan(message: Self.message, user: "x")
        #expect(outcome == .failed(.unreachable("connect to 127.0.0.1:\(port): Connection refused")))
        let missing = DirectSpamdScanner(address: .unix("/tmp/authmilter-no-such-spamd.sock"), timeoutSeconds: 5)
        #expect(missing.scan(message: [], user: "x") == .failed(.unreachable("connect to unix:/tmp/authmilter-no-such-spamd.sock: No such file or directory")))
    }

    @Test func aSilentSpamdEndsAtTheDeadline() throws {
        let spamd = try ScriptedSpamd { _ in .silence }
        defer { spamd.stop() }
        let started = monotonicSeconds()
        let outcome = DirectSpamdScanner(address: .inet([127, 0, 0, 1], port: spamd.port), timeoutSeconds: 0.5).scan(message: Self.message, user: "x")
        let took = monotonicSeconds() - started
        #expect(outcome == .failed(.timeout("waiting for the reply of 127.0.0.1:\(spamd.port) (0 bytes so far)")))
        #expect(took >= 0.5 && took < 3, "took \(took)s")
    }

    @Test func aSpamdThatHangsUp() throws {
        let spamd = try ScriptedSpamd { _ in .hangUp }
        defer { spamd.stop() }
        let outcome = DirectSpamdScanner(address: .inet([127, 0, 0, 1], port: spamd.port), timeoutSeconds: 5).scan(message: Self.message, user: "x")
        guard case .failed(.protocolError(let why)) = outcome else {
            Issue.record("expected a protocol error, got \(outcome)")
            return
        }
        #expect(why.hasPrefix("127.0.0.1:\(spamd.port) "))
    }

    @Test func anEndlessReplyIsCut() throws {
        let endless = Array("SPAMD/1.1 0 EX_OK\r\n".utf8) + [UInt8](repeating: 65, count: 200_000)
        let spamd = try ScriptedSpamd { _ in .reply(endless) }
        defer { spamd.stop() }
        let outcome = DirectSpamdScanner(address: .inet([127, 0, 0, 1], port: spamd.port), timeoutSeconds: 5).scan(message: Self.message, user: "x")
        #expect(outcome == .failed(.protocolError("the reply is longer than 65536 bytes")))
    }

    @Test func addressesAndTheirNames() throws {
        #expect(try SpamdAddress.resolve(host: "127.0.0.1", port: 783).get() == .inet([127, 0, 0, 1], port: 783))
        #expect(try SpamdAddress.resolve(host: "localhost", port: 783).get() == .inet([127, 0, 0, 1], port: 783))
        #expect(try SpamdAddress.resolve(host: "::1", port: 11783).get().description == "[::1]:11783")
        #expect((try? SpamdAddress.resolve(host: "no-such-host.invalid", port: 783).get()) == nil)
        #expect(SpamdAddress.unixSocket(String(repeating: "x", count: 108)) == nil)
    }

    // MARK: The worker's client

    /// A socketpair: [0] for the client, [1] for the fake scanner.
    func pair() throws -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        return (fds[0], fds[1])
    }

    /// The fake scanner: reads one scan, answers with `results(id)`.
    static func answerOne(_ fd: Int32, _ results: @escaping @Sendable (UInt32) -> [ScanIPCMessage]) -> Thread {
        let thread = Thread {
            var inbox = IPCInbox(receiving: WorkerToScanner.self)
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                if let message = try? inbox.next(WorkerToScanner.self),
                   let request = try? ScanIPCMessage(frame: IPCFrame(message.kind, payload: message.payload)) {
                    let bytes = results(request.id).flatMap { $0.frame.encoded() }
                    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    return
                }
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, min($0.count, inbox.readCapacity), 0) }
                if n <= 0 { return }
                guard (try? inbox.append(chunk[0..<n])) != nil else { return }
            }
        }
        thread.start()
        return thread
    }

    @Test func theClientTakesItsResultAndDropsALateOne() throws {
        let (client, scanner) = try pair()
        defer { close(client); close(scanner) }
        let verdict = SpamdVerdict(flag: "False", score: 0.5, threshold: 5, symbols: "A,B")
        _ = Self.answerOne(scanner) { id in
            [.result(id: id &- 1, outcome: .failed(.timeout("late"))), .result(id: id, outcome: .scanned(verdict))]
        }
        let scanned = ScannerClient(fd: client, timeoutSeconds: 5).scan(message: Self.message, user: "nobody")
        #expect(scanned == .scanned(verdict))
    }

    @Test func theClientGivesUpAtItsDeadline() throws {
        let (client, scanner) = try pair()
        defer { close(client); close(scanner) }
        let started = monotonicSeconds()
        let outcome = ScannerClient(fd: client, timeoutSeconds: 0.3).scan(message: Self.message, user: "nobody")
        #expect(outcome == .failed(.timeout("no result from the scanner within 0.3s")))
        #expect(monotonicSeconds() - started < 2)
    }

    @Test func aClosedChannelFailsAtOnceFromThenOn() throws {
        let (client, scanner) = try pair()
        defer { close(client) }
        close(scanner)
        let scanning = ScannerClient(fd: client, timeoutSeconds: 5)
        guard case .failed(.unavailable) = scanning.scan(message: Self.message, user: "nobody") else {
            Issue.record("expected unavailable")
            return
        }
        #expect(scanning.isBroken)
        #expect(scanning.scan(message: [], user: "x") == .failed(.unavailable("the channel to the scanner is closed")))
    }
}

/// A frame header with any length, for limit tests.
enum FrameHeaderBytes {
    static func header(payloadCount: Int, kind: UInt8) -> [UInt8] {
        let length = UInt32(payloadCount + 1)
        return [UInt8(length >> 24), UInt8((length >> 16) & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff), kind]
    }
}
