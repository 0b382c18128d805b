import Testing
@testable import SMTP

@Suite struct SMTPReplyTests {
    @Test func encodesMultiLineReplies() {
        let reply = SMTPReply(code: 250, lines: ["mx", "PIPELINING", "8BITMIME"])
        #expect(String(decoding: reply.encoded, as: UTF8.self) == "250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
        #expect(String(decoding: SMTPReply.ok.encoded, as: UTF8.self) == "250 2.0.0 Ok\r\n")
    }

    @Test func handlerRepliesBecomeSMTPReplies() {
        #expect(SMTPReply(handlerReply: "550 5.7.0 DMARC policy violation") == SMTPReply(550, "5.7.0 DMARC policy violation"))
        #expect(SMTPReply(handlerReply: "451-4.7.1 one\r\n451 4.7.1 two")?.encoded == Array("451-4.7.1 one\r\n451 4.7.1 two\r\n".utf8))
        #expect(SMTPReply(handlerReply: "250 2.0.0 fine") == nil)
        #expect(SMTPReply(handlerReply: "5") == nil)
    }

    @Test func decodesPipelinedRepliesOnAnySplit() throws {
        let wire = Array("250-one\r\n250-two\r\n250 three\r\n354 go ahead\r\n221\r\n".utf8)
        for split in 0...wire.count {
            var decoder = SMTPReplyDecoder()
            var replies: [SMTPReply] = []
            decoder.append(wire[..<split])
            while let r = try decoder.nextReply() { replies.append(r) }
            decoder.append(wire[split...])
            while let r = try decoder.nextReply() { replies.append(r) }
            #expect(replies == [SMTPReply(code: 250, lines: ["one", "two", "three"]), SMTPReply(354, "go ahead"),
                                SMTPReply(code: 221, lines: [""])], "split at \(split)")
        }
    }

    @Test func refusesMalformedAndEndlessReplies() {
        var bad = SMTPReplyDecoder()
        bad.append(Array("hello\r\n".utf8))
        #expect(throws: SMTPProtocolError.malformedReply("hello")) { try bad.nextReply() }
        // Found by the smtp-session fuzz target: "052" is no reply code
        // (its first digit is 2 to 5), and re-encoded it was not 3 digits.
        var lowCode = SMTPReplyDecoder()
        lowCode.append(Array("052 x\r\n".utf8))
        #expect(throws: SMTPProtocolError.malformedReply("052 x")) { try lowCode.nextReply() }
        var mixed = SMTPReplyDecoder()
        mixed.append(Array("250-a\r\n451 b\r\n".utf8))
        #expect(throws: SMTPProtocolError.self) { try mixed.nextReply() }
        var endless = SMTPReplyDecoder()
        endless.append(Array(String(repeating: "250-x\r\n", count: SMTPReplyDecoder.maximumLines + 1).utf8))
        #expect(throws: SMTPProtocolError.tooManyReplyLines) { try endless.nextReply() }
        var long = SMTPReplyDecoder()
        long.append([UInt8](repeating: 0x32, count: SMTPReplyDecoder.maximumLineBytes + 10))
        #expect(throws: SMTPProtocolError.lineTooLong) { try long.nextReply() }
    }
}

@Suite struct SMTPLineBufferTests {
    @Test func splitsLinesAndKeepsTheRest() throws {
        var buffer = SMTPLineBuffer(limit: 100)
        buffer.append(Array("EHLO a\r\nMAIL FROM:<x>\nDATA\r\nSubject".utf8))
        #expect(try buffer.nextLine().map { String(decoding: $0, as: UTF8.self) } == "EHLO a")
        #expect(try buffer.nextLine().map { String(decoding: $0, as: UTF8.self) } == "MAIL FROM:<x>")
        #expect(try buffer.nextLine().map { String(decoding: $0, as: UTF8.self) } == "DATA")
        #expect(try buffer.nextLine() == nil)
        #expect(String(decoding: buffer.takeRemainder(), as: UTF8.self) == "Subject")
    }

    @Test func refusesALineOverItsLimitWithoutHoldingMore() {
        var buffer = SMTPLineBuffer(limit: 8)
        buffer.append(Array("123456789".utf8))
        #expect(throws: SMTPProtocolError.lineTooLong) { try buffer.nextLine() }
    }

    @Test func commandLinesWithControlCharactersAreRefused() {
        #expect(SMTPCommandLine.text(Array("MAIL FROM:<a@b>\tX".utf8)[...]) == "MAIL FROM:<a@b>\tX")
        #expect(SMTPCommandLine.text(Array("MAIL FROM:<a\u{0}@b>".utf8)[...]) == nil)
        #expect(SMTPCommandLine.text(Array("EHLO a\rb".utf8)[...]) == nil)
        #expect(SMTPCommandLine.text([0x45, 0xFF]) == nil)
        #expect(SMTPCommandLine.text(Array("RCPT TO:<ü@example.org>".utf8)[...]) == "RCPT TO:<ü@example.org>")
    }
}
