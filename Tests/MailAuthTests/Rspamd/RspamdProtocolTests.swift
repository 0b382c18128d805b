import MailAuth
import Testing

/// rspamd's HTTP API with exact bytes: the request the RSpamD handler
/// posts to `/checkv2` and the replies Debian's rspamd 3.4 writes (taken
/// from a run: GTUBE, a ham message, an error).
@Suite struct RspamdProtocolTests {
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    static let gtubeBody = #"{"is_skipped":true,"score":15.0,"required_score":15.0,"action":"reject","symbols":{"GTUBE":{"name":"GTUBE","score":0.0,"metric_score":0.0}},"messages":{"smtp_message":"Gtube pattern"},"message-id":"1@example.com","time_real":0.139050}"#
    static let hamBody = #"{"is_skipped":false,"score":-0.100000,"required_score":15.0,"action":"no action","symbols":{"MIME_GOOD":{"name":"MIME_GOOD","score":-0.100000,"metric_score":-0.100000,"description":"Known content-type","options":["text/plain"]}},"messages":{},"message-id":"undef","time_real":0.005691,"milter":{"remove_headers":{"X-Spam":0}}}"#

    static func reply(_ body: String, status: String = "200 OK") -> [UInt8] {
        Array("HTTP/1.1 \(status)\r\nConnection: close\r\nServer: rspamd/3.4\r\nContent-Length: \(body.utf8.count)\r\nContent-Type: application/json\r\n\r\n\(body)".utf8)
    }

    @Test func theRequestCarriesPerlsFields() {
        let fields = RspamdRequestFields(deliverTo: "nobody", ip: "192.0.2.1", helo: "client.example.org", from: "<a@example.org>",
                                         queueID: "4ABC", recipients: ["<b@example.net>", "<c@example.net>"], user: "unauthorized")
        let request = RspamdRequest.encoded(fields, message: Array("Subject: hi\r\n\r\nbody\r\n".utf8), host: "localhost:11333")
        #expect(Self.text(request) == "POST /checkv2 HTTP/1.1\r\nHost: localhost:11333\r\nConnection: close\r\nContent-Length: 21\r\n"
            + "Deliver-To: nobody\r\nIP: 192.0.2.1\r\nHelo: client.example.org\r\nFrom: <a@example.org>\r\nQueue-Id: 4ABC\r\n"
            + "Rcpt: <b@example.net>\r\nRcpt: <c@example.net>\r\nPass: all\r\nUser: unauthorized\r\n\r\nSubject: hi\r\n\r\nbody\r\n")
    }

    @Test func noValueCanAddAHeaderLine() {
        let fields = RspamdRequestFields(deliverTo: "", ip: "192.0.2.1", helo: "evil\r\nX-Injected: 1", from: "<a@b>\n",
                                         queueID: "", recipients: ["\u{7f}"], user: "u")
        let text = Self.text(RspamdRequest.encoded(fields, message: [], host: "h:1"))
        #expect(text.contains("Helo: evilX-Injected: 1\r\n"))
        #expect(!text.contains("Deliver-To") && !text.contains("Queue-Id") && !text.contains("Rcpt"))
        #expect(text.components(separatedBy: "\r\n").count == 11)
        let long = RspamdRequestFields(deliverTo: String(repeating: "x", count: 5000), ip: "", helo: "", from: "", queueID: "",
                                       recipients: Array(repeating: "r", count: 2000), user: "")
        #expect(long.deliverTo.utf8.count == 1024 && long.recipients.count == 1000)
    }

    @Test func gtubeAndHamAsRspamdWritesThem() {
        #expect(RspamdReply.parse(Self.reply(Self.gtubeBody)) == .scanned(RspamdVerdict(action: "reject", score: 15, requiredScore: 15, isSkipped: true)))
        let ham = RspamdReply.parse(Self.reply(Self.hamBody))
        #expect(ham == .scanned(RspamdVerdict(action: "no action", score: -0.1, requiredScore: 15)))
        guard case .scanned(let verdict) = ham else { return }
        #expect(!verdict.isSpam)
        let headers = RspamdHeaders(verdict)
        #expect(headers.status == "No, score=-0.10 required=15.00" && headers.score == "-0.10" && headers.result == "pass")
    }

    @Test func perlsHeaderValues() {
        let spam = RspamdHeaders(RspamdVerdict(action: "reject", score: 15, requiredScore: 15))
        #expect(spam == RspamdHeaders.expected(score: "15.00", required: "15.00", status: "Yes, score=15.00 required=15.00", action: "reject", result: "fail"))
        let rewrite = RspamdHeaders(RspamdVerdict(action: "rewrite subject", score: 7.25, requiredScore: 15, subject: "***SPAM*** hi\r\nX-Bad: 1"))
        #expect(rewrite.action == "rewrite subject - ***SPAM*** hi  X-Bad: 1")
        #expect(RspamdVerdict(action: "greylist", score: 5.9, requiredScore: 15).isSpam)
        #expect(RspamdVerdict(action: "add header", score: 8, requiredScore: 15).isSpam)
    }

    @Test func completeOnlyWithTheWholeBody() {
        let whole = Self.reply(Self.gtubeBody)
        #expect(RspamdReply.isComplete(whole))
        #expect(!RspamdReply.isComplete(Array(whole.dropLast())))
        #expect(!RspamdReply.isComplete(Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n".utf8)))
        // Without Content-Length the reply ends when rspamd closes.
        #expect(!RspamdReply.isComplete(Array("HTTP/1.1 200 OK\r\n\r\n{}".utf8)))
    }

    @Test func failures() {
        #expect(RspamdReply.parse([]) == .failed(.protocolError("no reply")))
        #expect(RspamdReply.parse(Array(Self.reply(Self.gtubeBody).dropLast(3))) == .failed(.protocolError("the reply body has 231 of its 234 bytes")))
        #expect(RspamdReply.parse(Self.reply(#"{"error":"bad request"}"#, status: "400 Bad Request"))
            == .failed(.refused(#"HTTP/1.1 400 Bad Request - {"error":"bad request"}"#)))
        guard case .failed(.protocolError(let notJSON)) = RspamdReply.parse(Self.reply("<html>")) else { Issue.record("not JSON accepted"); return }
        #expect(notJSON.hasPrefix("bad data from server: expected an object"))
        #expect(RspamdReply.parse(Self.reply(#"{"score":1.0,"required_score":15.0}"#))
            == .failed(.protocolError("bad data from server: no action, score and required_score")))
        // The legacy /check shape (the verdict under "default") is not /checkv2's.
        #expect(RspamdReply.parse(Self.reply(#"{"default":{"is_spam":true,"score":15.0,"required_score":15.0,"action":"reject"}}"#))
            == .failed(.protocolError("bad data from server: no action, score and required_score")))
        #expect(RspamdReply.parse(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n".utf8))
            == .failed(.protocolError("chunked transfer encoding")))
        #expect(RspamdReply.parse(Array("SPAMD/1.1 0 EX_OK\r\n\r\n".utf8)) == .failed(.protocolError("not an HTTP status line: SPAMD/1.1 0 EX_OK")))
    }
}

extension RspamdHeaders {
    static func expected(score: String, required: String, status: String, action: String, result: String) -> RspamdHeaders {
        var headers = RspamdHeaders(RspamdVerdict(action: "", score: 0, requiredScore: 0))
        (headers.score, headers.required, headers.status, headers.action, headers.result) = (score, required, status, action, result)
        return headers
    }
}
