import MailAuth
import Testing

/// The spamc protocol (SPAMC/1.5) with exact bytes: the request the Perl
/// handler's Mail::SpamAssassin::Client sends, and spamd's replies as
/// Debian's spamd 4.0.1 writes them.
@Suite struct SpamdProtocolTests {
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func theRequestCountsTheClosingLineEnd() {
        let message = Array("Subject: hi\r\n\r\nbody\r\n".utf8)
        let request = SpamdRequest.encoded(user: "nobody", message: message)
        #expect(Self.text(request) == "SYMBOLS SPAMC/1.5\r\nContent-length: 23\r\nUser: nobody\r\n\r\nSubject: hi\r\n\r\nbody\r\n\r\n")
        #expect(request.count == 55 + 23)
    }

    @Test func aRequestWithoutUserAndAUserThatTriesToAddAHeader() {
        #expect(Self.text(SpamdRequest.encoded(user: nil, message: [])) == "SYMBOLS SPAMC/1.5\r\nContent-length: 2\r\n\r\n\r\n")
        let forged = SpamdRequest.encoded(user: "nobody\r\nContent-length: 1", message: [65])
        #expect(Self.text(forged) == "SYMBOLS SPAMC/1.5\r\nContent-length: 3\r\nUser: nobodyContent-length: 1\r\n\r\nA\r\n")
    }

    @Test func spamdsSpamReply() {
        let reply = Array("SPAMD/1.1 0 EX_OK\r\nContent-length: 52\r\nSpam: True ; 1003.3 / 5.0\r\n\r\nGTUBE,MISSING_DATE,MISSING_MID,NO_RECEIVED,NO_RELAYS".utf8)
        #expect(SpamdReply.isComplete(reply))
        #expect(SpamdReply.isComplete(Array(reply.dropLast())) == false)
        let verdict = SpamdVerdict(flag: "True", score: 1003.3, threshold: 5, symbols: "GTUBE,MISSING_DATE,MISSING_MID,NO_RECEIVED,NO_RELAYS")
        #expect(SpamdReply.parse(reply) == .scanned(verdict))
        #expect(verdict.isSpam && verdict.isSpamForPolicy)
    }

    @Test func spamdsHamReplyWithANegativeZero() {
        let reply = Array("SPAMD/1.1 0 EX_OK\r\nContent-length: 33\r\nSpam: False ; -0.0 / 5.0\r\n\r\nMSGID_SHORT,NO_RECEIVED,NO_RELAYS".utf8)
        guard case .scanned(let verdict) = SpamdReply.parse(reply) else {
            Issue.record("not scanned")
            return
        }
        #expect(verdict.flag == "False" && !verdict.isSpam)
        #expect(verdict.score.sign == .plus && verdict.score == 0)
        let headers = SpamAssassinHeaders(verdict)
        #expect(headers.score == "0.00" && headers.required == "5.00" && headers.result == "pass")
        #expect(headers.status == "No, score=0.00 required=5.00")
        #expect(headers.hits == "MSGID_SHORT,NO_RECEIVED,NO_RELAYS")
    }

    @Test func anErrorCodeIsARefusal() {
        let reply = Array("SPAMD/1.0 76 Bad header line: (Content-Length contains non-numeric bytes)\r\n".utf8)
        #expect(SpamdReply.isComplete(reply))
        #expect(SpamdReply.parse(reply) == .failed(.refused("76 Bad header line: (Content-Length contains non-numeric bytes)")))
    }

    @Test(arguments: [
        ("", "no response line"),
        ("HTTP/1.1 200 OK\r\n\r\n", "not a spamd response line: HTTP/1.1 200 OK"),
        ("SPAMD/1.1 0 EX_OK\r\nContent-length: 3\r\n", "the reply ends inside its header"),
        ("SPAMD/1.1 0 EX_OK\r\nContent-length: 3\r\n\r\nA,B", "no Spam: header in the reply"),
        ("SPAMD/1.1 0 EX_OK\r\nContent-length: 9\r\nSpam: True ; 9.0 / 5.0\r\n\r\nA,B", "the reply body has 3 of its 9 bytes"),
    ])
    func malformedReplies(_ reply: String, _ why: String) {
        #expect(SpamdReply.parse(Array(reply.utf8)) == .failed(.protocolError(why)))
    }

    @Test func perlsReadingOfTheSpamHeader() {
        // Matched anywhere in the line, numbers read by their leading part.
        let reply = Array("SPAMD/1.1 0 EX_OK\nX-Spam: Yes ; 12abc / 5\nContent-length: 0\n\n".utf8)
        #expect(SpamdReply.parse(reply) == .scanned(SpamdVerdict(flag: "Yes", score: 12, threshold: 5, symbols: "")))
        let verdict = SpamdVerdict(flag: "Yes", score: 12, threshold: 5, symbols: "")
        // Neither True nor False: spam for the headers, not for the reject.
        #expect(verdict.isSpam && !verdict.isSpamForPolicy)
    }

    @Test(arguments: [
        ("1003.3", "1003.30"), ("-0.0", "0.00"), ("2.345", "2.35"), ("0.005", "0.01"), ("-1.234", "-1.23"),
        ("-0.001", "-0.00"), ("5", "5.00"), ("abc", "0.00"), ("  7.5", "7.50"), ("1e3", "1000.00"),
    ])
    func scoresAsPerlPrintsThem(_ text: String, _ printed: String) {
        #expect(PerlNumber.twoDecimals(PerlNumber.value(text)) == printed)
    }

    @Test func hitsAreFoldedAt74Characters() {
        let rules = (1...12).map { "RULE_NUMBER_\($0)" }.joined(separator: ",")
        let folded = SpamAssassinHeaders.wrapHits(rules)
        #expect(folded == "RULE_NUMBER_1,RULE_NUMBER_2,RULE_NUMBER_3,RULE_NUMBER_4,RULE_NUMBER_5,\n"
            + "    RULE_NUMBER_6,RULE_NUMBER_7,RULE_NUMBER_8,RULE_NUMBER_9,RULE_NUMBER_10,\n"
            + "    RULE_NUMBER_11,RULE_NUMBER_12")
        // The line itself is at most 74, the indent not counted.
        for line in folded.split(separator: "\n") { #expect(line.drop(while: { $0 == " " }).count <= 74) }
        #expect(SpamAssassinHeaders.wrapHits("") == "")
        #expect(SpamAssassinHeaders.wrapHits("A,B,,") == "A,B")
        #expect(SpamAssassinHeaders.wrapHits(",A") == ",A")
        // A first part longer than a line starts no empty line.
        let long = String(repeating: "X", count: 80)
        #expect(SpamAssassinHeaders.wrapHits(long + ",B") == long + ",\n    B")
    }

    @Test func theMessageIsRebuiltAsPerlDoes() {
        var buffer = SpamdMessageBuffer(limit: 1000)
        buffer.appendHeader(name: Array("Subject".utf8), value: Array("hi".utf8))
        buffer.appendHeader(name: Array("From".utf8), value: Array("a@example.com".utf8))
        buffer.endHeader()
        buffer.appendBody(Array("line 1\r\n".utf8))
        buffer.appendBody(Array("line 2\r\n".utf8))
        #expect(Self.text(buffer.bytes) == "Subject: hi\r\nFrom: a@example.com\r\n\r\nline 1\r\nline 2\r\n")
        #expect(!buffer.isTruncated && buffer.offeredBytes == buffer.bytes.count)
    }

    @Test func pastTheLimitTheBodyIsCutAtALineEnd() {
        var buffer = SpamdMessageBuffer(limit: 30)
        buffer.appendHeader(name: Array("Subject".utf8), value: Array("hi".utf8))  // 13
        buffer.endHeader()                                                          // 15
        buffer.appendBody(Array("line 1\r\nline 2\r\nline 3\r\n".utf8))           // 15 + 24
        #expect(Self.text(buffer.bytes) == "Subject: hi\r\n\r\nline 1\r\n")
        #expect(buffer.isTruncated && buffer.offeredBytes == 39)
        buffer.appendBody(Array("x\r\n".utf8))
        #expect(buffer.bytes.count == 23 && buffer.offeredBytes == 42)
    }

    @Test func pastTheLimitInTheHeaderTheRestOfTheHeaderIsLeftOut() {
        var buffer = SpamdMessageBuffer(limit: 20)
        buffer.appendHeader(name: Array("Subject".utf8), value: Array("hi".utf8))
        buffer.appendHeader(name: Array("X-Long".utf8), value: Array(repeating: 65, count: 10))
        buffer.appendHeader(name: Array("To".utf8), value: Array("b".utf8))
        buffer.endHeader()
        buffer.appendBody(Array("body\r\n".utf8))
        #expect(Self.text(buffer.bytes) == "Subject: hi\r\n\r\n")
        #expect(buffer.isTruncated)
    }
}
