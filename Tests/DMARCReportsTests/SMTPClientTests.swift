import DMARCReports
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct SMTPClientTests {
    private let client = SMTPClient(heloName: "client.test", timeoutSeconds: 5)

    /// The ReportError `body` throws, nil when it does not throw one.
    private func captureError(_ body: () throws -> Void) -> ReportError? {
        do {
            try body()
            return nil
        } catch {
            guard let failure = error as? ReportError else { return nil }
            // Every failure of the client is the module's SMTP code.
            #expect(failure.code == .smtp)
            return failure
        }
    }

    @Test func deliversWithSizeDotStuffingAndOneRefusedRecipient() throws {
        let server = try ScriptedSMTPServer(banner: "220 mx.test ESMTP", replies: [
            "250-mx.test greets client.test\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250 8BITMIME",
            "250 2.1.0 sender ok",
            "250 2.1.5 recipient ok",
            "550 5.1.1 no such user",
            "354 end with <CRLF>.<CRLF>",
            "250 2.0.0 Ok: queued as ABC123",
            "221 2.0.0 bye",
        ])
        let message = Array("Subject: report\n\n.x\nline\r\n..two\rlast".utf8)
        let delivery = try client.send(host: "127.0.0.1", port: server.port, from: "dmarc@example.com",
                                       recipients: ["a@example.net", "b@example.net"], message: message)
        server.waitUntilDone()
        let data = "Subject: report\r\n\r\n..x\r\nline\r\n...two\r\nlast\r\n"
        #expect(server.received == "EHLO client.test\r\n"
            + "MAIL FROM:<dmarc@example.com> SIZE=\(data.utf8.count)\r\n"
            + "RCPT TO:<a@example.net>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n"
            + data + ".\r\nQUIT\r\n")
        #expect(delivery.accepted == ["a@example.net"])
        #expect(delivery.recipients.map(\.reply.code) == [250, 550])
        #expect(delivery.recipients[1].reply.lines == ["5.1.1 no such user"])
        #expect(delivery.dataReply == SMTPClient.Reply(code: 250, lines: ["2.0.0 Ok: queued as ABC123"]))
    }

    @Test func dataPayloadNormalisesLineEndsAndStuffsDots() {
        #expect(SMTPClient.dataPayload([]) == Array(".\r\n".utf8))
        #expect(SMTPClient.dataPayload(Array(".\n.\r\n.".utf8)) == Array("..\r\n..\r\n..\r\n.\r\n".utf8))
        #expect(SMTPClient.dataPayload(Array("a\r\r\nb.\n".utf8)) == Array("a\r\n\r\nb.\r\n.\r\n".utf8))
    }

    @Test func fallsBackToHELOWithoutSize() throws {
        let server = try ScriptedSMTPServer(banner: "220 old.test", replies: [
            "502 5.5.2 command not recognized", "250 old.test", "250 ok", "250 ok", "354 go", "250 done", "221 bye",
        ])
        let delivery = try client.send(host: "127.0.0.1", port: server.port, from: "", recipients: ["a@example.net"],
                                       message: Array("x".utf8))
        server.waitUntilDone()
        #expect(server.received == "EHLO client.test\r\nHELO client.test\r\nMAIL FROM:<>\r\nRCPT TO:<a@example.net>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n")
        #expect(delivery.dataReply.lines == ["done"])
    }

    @Test func aMessageOverTheAnnouncedSizeIsNotSent() throws {
        let server = try ScriptedSMTPServer(banner: "220 mx.test", replies: ["250-mx.test\r\n250 SIZE 10", "221 bye"])
        let error = captureError {
            _ = try client.send(host: "127.0.0.1", port: server.port, from: "a@example.com", recipients: ["b@example.net"],
                                message: Array(repeating: UInt8(ascii: "x"), count: 100))
        }
        server.waitUntilDone()
        #expect(error?.stage == .mailFrom)
        #expect(error?.isPermanent == true)
        #expect(error?.detail.contains("SIZE limit of 10") == true)
        #expect(!server.received.contains("MAIL FROM"))
    }

    @Test func everyRecipientRefusedIsAnError() throws {
        let server = try ScriptedSMTPServer(banner: "220 mx.test", replies: [
            "250 mx.test", "250 ok", "550 5.1.1 unknown", "450 4.2.0 try later", "221 bye",
        ])
        let error = captureError {
            _ = try client.send(host: "127.0.0.1", port: server.port, from: "a@example.com",
                                recipients: ["x@example.net", "y@example.net"], message: Array("x".utf8))
        }
        server.waitUntilDone()
        #expect(error?.stage == .recipient)
        #expect(error?.reply?.code == 450)
        #expect(error?.isPermanent == false)
        #expect(error?.detail.contains("<x@example.net>: 550 5.1.1 unknown") == true)
        #expect(!server.received.contains("DATA"))
    }

    @Test func aRefusalAtTheEndOfTheMessageIsAnError() throws {
        let server = try ScriptedSMTPServer(banner: "220 mx.test", replies: [
            "250 mx.test", "250 ok", "250 ok", "354 go", "554-5.7.1 rejected\r\n554 5.7.1 as spam", "221 bye",
        ])
        let error = captureError {
            _ = try client.send(host: "127.0.0.1", port: server.port, from: "a@example.com", recipients: ["x@example.net"],
                                message: Array("x\n".utf8))
        }
        server.waitUntilDone()
        #expect(error?.stage == .message)
        #expect(error?.reply == SMTPClient.Reply(code: 554, lines: ["5.7.1 rejected", "5.7.1 as spam"]))
        #expect(error?.isPermanent == true)
    }

    @Test func a421BannerIsAnError() throws {
        let server = try ScriptedSMTPServer(banner: "421 4.3.2 mx.test too busy", replies: [])
        let error = captureError {
            _ = try client.send(host: "127.0.0.1", port: server.port, from: "a@example.com", recipients: ["x@example.net"], message: [])
        }
        server.waitUntilDone()
        #expect(error?.stage == .banner)
        #expect(error?.reply?.code == 421)
        #expect(error?.detail == "421 4.3.2 mx.test too busy")
        #expect(error?.isPermanent == false)
        #expect(!server.received.contains("EHLO"))
    }

    @Test func aServerThatNeverAnswersTimesOut() throws {
        let server = try ScriptedSMTPServer(banner: nil, replies: [])
        let impatient = SMTPClient(heloName: "client.test", timeoutSeconds: 0.5)
        let clock = ContinuousClock()
        let started = clock.now
        let error = captureError {
            _ = try impatient.send(host: "127.0.0.1", port: server.port, from: "a@example.com", recipients: ["x@example.net"], message: [])
        }
        let elapsed = clock.now - started
        server.waitUntilDone()
        #expect(error?.stage == .banner)
        #expect(error?.detail.contains("within 0.5 seconds") == true)
        #expect(elapsed >= .milliseconds(450))
        #expect(elapsed < .seconds(3))
        #expect(server.received.isEmpty)
    }

    @Test func anOverlongReplyLineIsRefused() throws {
        let server = try ScriptedSMTPServer(banner: "220 " + String(repeating: "x", count: 5000), replies: [])
        let strict = SMTPClient(heloName: "client.test", timeoutSeconds: 5, maximumLineLength: 512)
        let error = captureError {
            _ = try strict.send(host: "127.0.0.1", port: server.port, from: "a@example.com", recipients: ["x@example.net"], message: [])
        }
        server.waitUntilDone()
        #expect(error?.stage == .banner)
        #expect(error?.detail.contains("longer than 512 bytes") == true)
    }

    @Test func aMalformedReplyIsRefused() throws {
        let server = try ScriptedSMTPServer(banner: "220-mx.test\r\n250 mixed codes", replies: [])
        let error = captureError {
            _ = try client.send(host: "127.0.0.1", port: server.port, from: "a@example.com", recipients: ["x@example.net"], message: [])
        }
        server.waitUntilDone()
        #expect(error?.stage == .banner)
        #expect(error?.detail.contains("mixes codes 220 and 250") == true)
    }

    @Test func aClosedPortIsAConnectError() throws {
        // A port that was free a moment ago: bound, never listened on, closed.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        close(fd)
        guard bound else { throw TestFailure("cannot bind 127.0.0.1") }
        let port = UInt16(bigEndian: address.sin_port)
        let error = captureError {
            _ = try client.send(host: "[127.0.0.1]", port: port, from: "a@example.com", recipients: ["x@example.net"], message: [])
        }
        #expect(error?.stage == .connect)
        #expect(error?.detail.contains("127.0.0.1:\(port)") == true)
    }

    @Test func addressesThatWouldBreakTheCommandAreRefusedBeforeConnecting() {
        let error = captureError {
            _ = try client.send(host: "127.0.0.1", port: 9, from: "a@example.com", recipients: ["x@example.net>\r\nDATA"], message: [])
        }
        #expect(error?.stage == .recipient)
        #expect(error?.isPermanent == true)
        let noRecipients = captureError {
            _ = try client.send(host: "127.0.0.1", port: 9, from: "a@example.com", recipients: [], message: [])
        }
        #expect(noRecipients?.stage == .recipient)
    }
}
