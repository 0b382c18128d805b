import Testing

@testable import BenchSupport

/// The mix file: round trip, and the message as a milter is given it.
@Suite struct MixFileTests {
    static let raw = Array(("DKIM-Signature: v=1; a=rsa-sha256; d=example.example;\r\n\th=from:to; b=abc\r\n"
        + "From: Alice <alice@a.example>\r\nSubject:no space\r\n\r\nline one\r\ndata 12\nmessage x\r\n").utf8)

    static let messages = [
        MixMessage(kind: "rsa-direct", clientAddress: "198.51.100.10", clientHostname: "mail.a.example", helo: "mail.a.example",
                   mailFrom: "<alice@a.example>", recipients: ["<u1@rcpt.example>", "<u2@rcpt.example>"],
                   expected: MixExpectation(["spf": ["pass"], "dkim": ["pass", "fail"], "dmarc": ["pass"]]), raw: raw),
        MixMessage(kind: "empty", clientAddress: "192.0.2.66", clientHostname: "unknown", helo: "x", mailFrom: "<>",
                   recipients: ["<u@rcpt.example>"], expected: MixExpectation(), raw: []),
    ]

    @Test func roundTrip() throws {
        let bytes = MixFile.encode(Self.messages)
        #expect(String(decoding: bytes.prefix(23), as: UTF8.self) == "authmilter-bench mix 1\n")
        let decoded = try MixFile.decode(bytes)
        #expect(decoded == Self.messages)
        #expect(decoded[0].expected.description == "dkim=fail,pass dmarc=pass spf=pass")
    }

    @Test func refusesBrokenFiles() {
        let good = MixFile.encode(Self.messages)
        #expect(throws: MixFile.Failure.self) { try MixFile.decode(Array("something else\n".utf8)) }
        #expect(throws: MixFile.Failure.self) { try MixFile.decode(Array(good.dropLast(5))) }
        let text = String(decoding: good, as: UTF8.self)
        #expect(throws: MixFile.Failure.self) { try MixFile.decode(Array(text.replacingFirst("data 0", "data 9999").utf8)) }
        #expect(throws: MixFile.Failure.self) { try MixFile.decode(Array(text.replacingFirst("helo x", "colour x").utf8)) }
        #expect(throws: MixFile.Failure.self) {
            try MixFile.decode(Array(text.replacingFirst("rcpt <u@rcpt.example>\n", "").utf8))
        }
    }

    @Test func milterFormSplitsHeadersAsPostfixSendsThem() {
        let message = Self.messages[0].milterMessage()
        #expect(message.headers.map(\.name) == ["DKIM-Signature", "From", "Subject"])
        #expect(message.headers[0].value == "v=1; a=rsa-sha256; d=example.example;\n\th=from:to; b=abc", "folded with LF")
        #expect(message.headers[1].value == "Alice <alice@a.example>" && message.headers[2].value == "no space")
        #expect(message.body == Array("line one\r\ndata 12\nmessage x\r\n".utf8))
        #expect(message.address == "198.51.100.10" && message.hostname == "mail.a.example" && message.sender == "<alice@a.example>")
        #expect(message.recipients == ["<u1@rcpt.example>", "<u2@rcpt.example>"])
        #expect(message.macros.contains { $0.name == "j" && $0.value == "mx.bench.example" })
    }

    @Test func expectationText() {
        #expect(MixExpectation.parse("spf=pass dkim=pass,fail")?.results == ["spf": ["pass"], "dkim": ["fail", "pass"]])
        #expect(MixExpectation.parse("")?.results == [:])
        #expect(MixExpectation.parse("spf") == nil)
    }
}

extension String {
    func replacingFirst(_ target: String, _ replacement: String) -> String {
        guard let range = firstRange(of: target) else { return self }
        return String(self[..<range.lowerBound]) + replacement + String(self[range.upperBound...])
    }
}
