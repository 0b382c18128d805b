import MailAuth
import Testing

/// The header field model: bytes kept exactly, milter reconstruction,
/// unfolding, splitting whole messages.
@Suite struct DKIMMessageHeaderTests {
    @Test func milterFieldsGetTheirSpaceAndCRLFBack() {
        let field = MessageHeaderField.milter(name: "Subject", value: "a long\n\tsubject")
        #expect(field.raw == Array("Subject: a long\r\n\tsubject".utf8))
        #expect(field.valueText == "a long\tsubject")
        let already = MessageHeaderField.milter(name: "X", value: "one\r\n two")
        #expect(already.raw == Array("X: one\r\n two".utf8))
        let lone = MessageHeaderField.milter(name: [0x58], value: [0x61, 0x0D, 0x62, 0xFF])
        #expect(lone.raw == [0x58, 0x3A, 0x20, 0x61, 0x0D, 0x62, 0xFF])
    }

    @Test func namesCompareCaseInsensitively() {
        let field = MessageHeaderField(name: "DKIM-Signature ", value: " v=1")
        #expect(field.hasName("dkim-signature"))
        #expect(field.hasName("DKIM-SIGNATURE"))
        #expect(!field.hasName("dkim-signatures"))
        #expect(field.lowercasedName == Array("dkim-signature".utf8))
        #expect(field.nameText == "DKIM-Signature ")
    }

    @Test func unfolding() {
        let field = MessageHeaderField(name: "To", value: " a@example.com,\r\n b@example.com\r\n\tc")
        #expect(field.unfoldedValue == Array(" a@example.com, b@example.com\tc".utf8))
        #expect(field.valueText == "a@example.com, b@example.com\tc")
    }

    @Test func splittingMessages() {
        let message = Array("From: a\nSubject: one\n two\nX:y\n\nbody\n".utf8)
        let (fields, bodyStart) = MessageHeaderSplitter.split(message)
        #expect(fields.map(\.nameText) == ["From", "Subject", "X"])
        #expect(fields[1].value == Array(" one\r\n two".utf8))
        #expect(fields[2].value == Array("y".utf8))
        #expect(Array(message[bodyStart...]) == Array("body\n".utf8))

        let crlf = Array("A: 1\r\n\r\n".utf8)
        let split = MessageHeaderSplitter.split(crlf)
        #expect(split.fields.count == 1)
        #expect(split.bodyStart == crlf.count)

        let headerOnly = MessageHeaderSplitter.split(Array("A: 1\r\nNoColon\r\n".utf8))
        #expect(headerOnly.fields.map(\.nameText) == ["A", "NoColon"])
        #expect(headerOnly.bodyStart == 15)
        #expect(MessageHeaderSplitter.split([]).fields.isEmpty)
    }
}
