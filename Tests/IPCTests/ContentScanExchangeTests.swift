#if canImport(Glibc)
import Glibc
#endif
import MailAuth
import IPC
import SystemIO
import Testing
import TestSupport

/// rspamd and clamd through the scanner's pieces: their request and result
/// frames with exact limits, one exchange each against a scripted server on
/// loopback (the bytes it received, its verdict, its silence), and the
/// worker's client asking for each kind.
@Suite struct ContentScanExchangeTests {
    static let message = Array("Subject: hi\r\n\r\nbody\r\n".utf8)
    static let fields = RspamdRequestFields(deliverTo: "nobody", ip: "192.0.2.1", helo: "client.example.org", from: "<a@example.org>",
                                            queueID: "QID", recipients: ["<b@example.net>"], user: "unauthorized")

    @Test func rspamdAndClamdMessagesRoundTrip() throws {
        let messages: [ScanIPCMessage] = [
            .rspamdScan(id: 1, fields: Self.fields, message: Self.message),
            .rspamdScan(id: 2, fields: RspamdRequestFields(deliverTo: "", ip: "", helo: "", from: "", queueID: "", recipients: [], user: ""), message: []),
            .clamdScan(id: 3, message: Self.message),
            .rspamdResult(id: 4, outcome: .scanned(RspamdVerdict(action: "rewrite subject", score: 7.5, requiredScore: 15, subject: "[SPAM] hi"))),
            .rspamdResult(id: 5, outcome: .scanned(RspamdVerdict(action: "reject", score: 15, requiredScore: 15, isSkipped: true))),
            .rspamdResult(id: 6, outcome: .failed(.refused("HTTP/1.1 500"))),
            .clamdResult(id: 7, outcome: .scanned(.clean)),
            .clamdResult(id: 8, outcome: .scanned(.infected("Eicar-Signature"))),
            .clamdResult(id: 9, outcome: .failed(.timeout("connecting"))),
        ]
        for message in messages {
            #expect(try ScanIPCMessage(frame: message.frame) == message)
        }
        #expect(ScanIPCMessage.clamdScan(id: 1, message: [65]).frame.encoded() == [0, 0, 0, 6, 64, 0, 0, 0, 1, 65])
        // A clean verdict carries no name; an infected one needs one.
        #expect(throws: IPCError.self) { try ScanIPCMessage(frame: IPCFrame(kind: 65, payload: [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 65])) }
        #expect(throws: IPCError.self) { try ScanIPCMessage(frame: IPCFrame(kind: 65, payload: [0, 0, 0, 1, 0, 1, 0, 0, 0, 0])) }
        #expect(throws: IPCError.unknownTag(2)) { try ScanIPCMessage(frame: IPCFrame(kind: 65, payload: [0, 0, 0, 1, 0, 2, 0, 0, 0, 0])) }
        // More recipients than the limit: refused before they are read.
        var tooMany = [UInt8]([0, 0, 0, 1])
        for _ in 0..<6 { tooMany += [0, 0, 0, 0] }
        tooMany += [0, 0, 0x03, 0xe9]
        #expect(throws: IPCError.tooLong("recipient list")) { try ScanIPCMessage(frame: IPCFrame(kind: 62, payload: tooMany)) }
    }

    @Test func anRspamdVerdictAndWhatRspamdReceived() throws {
        let body = #"{"is_skipped":false,"score":8.0,"required_score":15.0,"action":"add header","symbols":{"A":{"score":8.0}}}"#
        let server = try ScriptedSpamd { _ in
            .reply(Array("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
        }
        defer { server.stop() }
        let request = RspamdRequest.encoded(Self.fields, message: Self.message, host: "localhost:\(server.port)")
        let outcome = ScanExchange<RspamdReply>.run(.inet([127, 0, 0, 1], port: server.port), request: request, timeoutSeconds: 5)
        #expect(outcome == .scanned(RspamdVerdict(action: "add header", score: 8, requiredScore: 15)))
        #expect(server.requests == [request])
    }

    @Test func aClamdVerdictAndWhatClamdReceived() throws {
        let server = try ScriptedSpamd { _ in .reply(Array("stream: Eicar-Signature FOUND\0".utf8)) }
        defer { server.stop() }
        let request = ClamdRequest.encoded(message: Self.message)
        let outcome = ScanExchange<ClamdReply>.run(.inet([127, 0, 0, 1], port: server.port), request: request, timeoutSeconds: 5)
        #expect(outcome == .scanned(.infected("Eicar-Signature")))
        #expect(server.requests == [request])
    }

    @Test func silenceAndRefusalEndInTime() throws {
        let silent = try ScriptedSpamd { _ in .silence }
        defer { silent.stop() }
        let started = monotonicSeconds()
        let outcome = ScanExchange<ClamdReply>.run(.inet([127, 0, 0, 1], port: silent.port), request: ClamdRequest.encoded(message: Self.message),
                                                   timeoutSeconds: 0.3)
        guard case .failed(.timeout(let why)) = outcome else { Issue.record("\(outcome)"); return }
        #expect(why.hasPrefix("waiting for the reply of 127.0.0.1:"))
        #expect(monotonicSeconds() - started < 2)
        let port = try Loopback.freePort()
        guard case .failed(.unreachable) = ScanExchange<RspamdReply>.run(.inet([127, 0, 0, 1], port: port), request: [1], timeoutSeconds: 2) else {
            Issue.record("a closed port is not unreachable")
            return
        }
    }

    @Test func theClientAsksEachScannerByItsKind() throws {
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let verdict = RspamdVerdict(action: "no action", score: 1, requiredScore: 15)
        _ = SpamdScanTests.answerOne(fds[1]) { id in [.rspamdResult(id: id, outcome: .scanned(verdict))] }
        let client = ScannerClient(fd: fds[0], timeoutSeconds: 5)
        #expect(client.scan(message: Self.message, fields: Self.fields) == .scanned(verdict))
        // A result of another kind for the id is a broken scanner.
        _ = SpamdScanTests.answerOne(fds[1]) { id in [.result(id: id, outcome: .failed(.timeout("x")))] }
        #expect(client.scan(message: Self.message) == .failed(.unavailable("a result of the wrong kind from the scanner")))
        #expect(client.isBroken)
    }
}
