import Testing
@testable import SMTP

@Suite struct SMTPHeaderTests {
    func section(_ text: String) throws -> (SMTPHeaderSection, String) {
        var s = SMTPHeaderSection()
        let body = try s.append(Array(text.utf8)[...])
        return (s, String(decoding: body, as: UTF8.self))
    }

    @Test func splitsFieldsFoldsAndBody() throws {
        let (s, body) = try section("Subject:no space\r\nX-Long: a\r\n\tb\r\nbroken line\r\n\r\nbody\r\n")
        #expect(s.isComplete)
        #expect(body == "body\r\n")
        #expect(s.fields.map(\.name) == ["Subject", "X-Long", "broken line"])
        #expect(s.fields.map(\.value) == ["no space", "a\r\n\tb", ""])
        // Untouched fields go out as they came.
        #expect(String(decoding: s.fields[0].raw, as: UTF8.self) == "Subject:no space")
    }

    @Test func aMessageWithoutBodyEndsInItsHeader() throws {
        var s = SMTPHeaderSection()
        _ = try s.append(Array("A: 1\r\nB: 2\r\n".utf8)[...])
        #expect(!s.isComplete)
        s.finish()
        #expect(s.fields.map(\.name) == ["A", "B"])
    }

    @Test func anOversizedHeaderSectionIsRefused() {
        var s = SMTPHeaderSection(maximumBytes: 64)
        #expect(throws: SMTPHeaderSection.Overflow.self) {
            _ = try s.append(Array(String(repeating: "X: y\r\n", count: 20).utf8)[...])
        }
    }

    @Test func editsFollowTheMilterIndexes() throws {
        let (s, _) = try section("From: a\r\nReceived: one\r\nReceived: two\r\nSubject: s\r\n\r\n")
        var fields = s.fields
        SMTPHeaderEdit.apply([
            .change(index: 2, name: "received", value: ""),
            .insert(index: 1, name: "Authentication-Results", value: "mx;\n    spf=pass"),
            .insert(index: 99, name: "X-Last", value: "z"),
            .add(name: "X-Added", value: "q"),
            .change(index: 1, name: "Subject", value: "changed"),
            .change(index: 5, name: "Subject", value: "none such"),
        ], to: &fields)
        let text = fields.map { String(decoding: $0.raw, as: UTF8.self) }
        #expect(text == ["Authentication-Results: mx;\r\n    spf=pass", "From: a", "Received: one", "Subject: changed", "X-Last: z", "X-Added: q"])
    }

    @Test func receivedFieldAndQueueIDAsPerlWritesThem() {
        let id = SMTPQueueID(random: 0xABC, upstream: "4XyZ1")
        #expect(id.description == "00000000ABC.4XyZ1")
        #expect(SMTPQueueID(random: UInt64.max).description == "FFFFFFFFFFF")
        let value = SMTPReceivedHeader.value(helo: "mx.e2e.test", clientName: "localhost", clientAddress: "127.0.0.1",
                                             serverName: "scan.example.com", queueID: id, date: "Sat, 05 Dec 2026 06:00:00 +0000")
        #expect(value == "from mx.e2e.test (localhost [127.0.0.1])\r\n    by scan.example.com (Authentication Milter) with ESMTP\r\n    id 00000000ABC.4XyZ1;\r\n    Sat, 05 Dec 2026 06:00:00 +0000")
    }

    @Test func writtenFieldsGetCRLFLineEnds() {
        let field = SMTPHeaderField(name: "X", value: "a\nb\rc\r\nd")
        #expect(String(decoding: field.raw, as: UTF8.self) == "X: a\r\nb\r\nc\r\nd")
    }
}
