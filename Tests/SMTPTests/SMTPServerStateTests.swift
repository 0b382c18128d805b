import Testing
@testable import SMTP

@Suite struct SMTPServerStateTests {
    func state(after: Bool = true, limit: Int? = nil) -> SMTPServerState {
        SMTPServerState(settings: SMTPServerSettings(serverName: "scan.example.com", acceptsUpstreamIdent: after,
                                                     pipelineLimit: limit, maximumMessageBytes: 1000))
    }

    @Test func greetsAndAnnouncesPerlsExtensionsThenSizeAndUTF8() {
        var s = state()
        #expect(s.greeting == SMTPReply(220, "scan.example.com ESMTP AuthenticationMilter"))
        #expect(s.step(for: SMTPCommand(line: "ehlo client.example.org")) == .reply(SMTPReply(code: 250, lines: [
            "scan.example.com", "XFORWARD NAME ADDR HELO IDENT", "PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME", "SIZE 1000", "SMTPUTF8"])))
        #expect(s.heloHost == "client.example.org")
        var before = state(after: false)
        guard case .reply(let reply) = before.step(for: .lhlo("x")) else { Issue.record("no reply"); return }
        #expect(reply.lines[1] == "XFORWARD NAME ADDR HELO")
        #expect(before.usesLMTP)
        #expect(s.step(for: .helo("h")) == .reply(SMTPReply(250, "scan.example.com Hi h")))
    }

    @Test func sequencingErrorsUsePerlsCodes() {
        var s = state()
        #expect(s.step(for: .rcpt("<a@b>")) == .reply(.outOfOrder))
        #expect(s.step(for: .data) == .reply(.outOfOrder))
        #expect(s.step(for: .mail("<a@b> SIZE=10 BODY=8BITMIME")) == .checkMail(path: "<a@b>", parameters: ["SIZE=10", "BODY=8BITMIME"]))
        s.mailAccepted(argument: "<a@b> SIZE=10 BODY=8BITMIME")
        #expect(s.step(for: .mail("<c@d>")) == .reply(.nestedMail))
        #expect(s.step(for: .data) == .reply(.noRecipients))
        #expect(s.step(for: .xforward("ADDR=1.2.3.4")) == .reply(.outOfOrder))
        #expect(s.step(for: SMTPCommand(line: "VRFY root")) == .reply(.unknownCommand))
        #expect(s.step(for: SMTPCommand(line: "STARTTLS")) == .reply(.unknownCommand))
        #expect(s.step(for: .noop) == .reply(.ok))
        #expect(s.step(for: .rcpt("<r@e>")) == .checkRecipient(path: "<r@e>", parameters: []))
        s.recipientAccepted("<r@e>")
        #expect(s.step(for: .data) == .receiveMessage)
        #expect(s.step(for: .rset) == .endTransaction(then: .ok))
        #expect(!s.inTransaction)
        // EHLO in a transaction resets it too (RFC 5321 4.1.4).
        s.mailAccepted(argument: "<a@b>")
        guard case .endTransaction = s.step(for: .ehlo("again")) else { Issue.record("EHLO kept the transaction"); return }
        #expect(!s.inTransaction)
        #expect(s.step(for: .quit) == .close(.bye))
    }

    @Test func xforwardFactsLastOneTransaction() {
        var s = state()
        _ = s.step(for: .xforward("NAME=mail.example.org ADDR=IPv6:2001:db8::1"))
        _ = s.step(for: .xforward("HELO=helo.example.org IDENT=ABC123 PROTO=ESMTP"))
        #expect(s.xforward.clientAddress == "2001:db8::1")
        #expect(s.xforward.clientName == "mail.example.org")
        #expect(s.xforward.clientHelo == "helo.example.org")
        #expect(s.xforward.upstreamIdent == "ABC123")
        #expect(s.takeNotes() == ["Unknown XForward Entry: PROTO=ESMTP"])
        s.mailAccepted(argument: "<>")
        s.transactionFinished()
        #expect(s.xforward.isEmpty)
        var before = state(after: false)
        _ = before.step(for: .xforward("IDENT=ABC123"))
        #expect(before.xforward.ident == nil)
        #expect(before.takeNotes().count == 1)
    }

    @Test func unavailableXforwardValuesAreNotFacts() {
        var x = SMTPXForward()
        x.apply("NAME=[UNAVAILABLE] ADDR=[UNAVAILABLE] HELO=[UNAVAILABLE] IDENT=[UNAVAILABLE]")
        #expect(x.clientName == nil && x.clientAddress == nil && x.clientHelo == nil && x.upstreamIdent == nil)
        // They are replayed as received.
        #expect(x.replayCommand == "XFORWARD HELO=[UNAVAILABLE] ADDR=[UNAVAILABLE] NAME=[UNAVAILABLE] IDENT=[UNAVAILABLE]")
        #expect(SMTPXForward().replayCommand == nil)
    }

    @Test func thePipelineLimitClosesOnRsetAndOnMail() {
        var s = state(limit: 2)
        for _ in 0..<2 {
            guard case .checkMail = s.step(for: .mail("<a@b>")) else { Issue.record("mail refused"); return }
            s.mailAccepted(argument: "<a@b>")
            s.transactionFinished()
        }
        #expect(s.step(for: .mail("<a@b>")) == .close(.pipelineLimit))
        #expect(s.step(for: .rset) == .endTransactionAndClose(.pipelineLimit))
        #expect(SMTPReply.pipelineLimit.lastLine == "421 4.3.2 Pipeline limit reached")
    }

    @Test func lmtpGetsOneDataReplyPerRecipient() {
        var s = state()
        _ = s.step(for: .lhlo("x"))
        s.mailAccepted(argument: "<a@b>")
        for r in ["<1@e>", "<2@e>", "<3@e>"] { s.recipientAccepted(r) }
        #expect(s.dataReplyCount == 3)
    }

    @Test func announcedSizeOverTheLimitIsSeen() {
        let s = state()
        #expect(s.announcedSizeTooLarge(["SIZE=1001"]))
        #expect(!s.announcedSizeTooLarge(["size=1000", "BODY=8BITMIME"]))
    }

    @Test func pathsKeepQuotedSpaces() {
        #expect(SMTPPath.split("<\"a b>\"@example.org> SMTPUTF8") == ("<\"a b>\"@example.org>", ["SMTPUTF8"]))
        #expect(SMTPPath.split(" <> ") == ("<>", []))
        #expect(SMTPPath.split("bare@example.org X=1") == ("bare@example.org", ["X=1"]))
    }
}
