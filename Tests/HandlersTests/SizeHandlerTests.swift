import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// Size (issue 13): header and body bytes of each message as Perl's
/// `Size.pm` counts them for its metrics; nothing is added to the message.
@Suite struct SizeHandlerTests {
    static func harness() throws -> (SizeHandler, Harness, Lines) {
        let size = try SizeHandler(config: .object(JSONObject()))
        let harness = Harness(handlers: [size], settings: Harness.oneLine)
        let lines = Lines()
        harness.session.logSink = { level, text in lines.all.append("\(level.rawValue) \(text)") }
        harness.openConnection()
        return (size, harness, lines)
    }

    final class Lines { var all: [String] = [] }

    @Test func aHeaderCountsNameColonSpaceValueAndCRLF() throws {
        let size = try SizeHandler(config: .object(JSONObject()))
        let session = MailSession(resolver: InMemoryDNSResolver())
        try size.envelopeFrom(session, address: "<a@example.com>")
        #expect(size.counts(in: session) == MessageSizeCounts(headerBytes: 0, bodyBytes: 0))
        try size.header(session, name: "Subject", value: "Hello")            // "Subject: Hello" + CRLF = 16
        try size.header(session, name: "To", value: "b@example.net")        // "To: b@example.net" + CRLF = 19
        #expect(size.counts(in: session) == MessageSizeCounts(headerBytes: 35, bodyBytes: 0))
    }

    @Test func leadingWhiteSpaceIsNotCountedAndUTF8CountsInBytes() throws {
        let size = try SizeHandler(config: .object(JSONObject()))
        let session = MailSession(resolver: InMemoryDNSResolver())
        // Perl's handlers get the value without leading white space.
        try size.header(session, name: "X-Folded", value: "\n  folded")      // "X-Folded: folded" + CRLF = 18
        try size.header(session, name: "Subject", value: "Grüße")           // 9 + 7 bytes + 2 = 18
        #expect(size.counts(in: session)?.headerBytes == 36)
    }

    @Test func theMTAsExactBytesCount() throws {
        let size = try SizeHandler(config: .object(JSONObject()))
        let session = MailSession(resolver: InMemoryDNSResolver())
        // Not valid UTF-8: the String argument loses the byte, the raw
        // bytes keep it (5 + 2 + 3 + 2).
        session.currentRawHeader = (Array("X-Bin".utf8), [0x61, 0xff, 0x62])
        try size.header(session, name: "X-Bin", value: "a\u{FFFD}b")
        #expect(size.counts(in: session)?.headerBytes == 12)
    }

    @Test func theBodyCountsEveryChunk() throws {
        let (size, harness, _) = try Self.harness()
        harness.send(.mailFrom(["<a@example.com>"]))
        harness.send(.header(name: "Subject", value: "Hi"))
        harness.send(.endOfHeaders)
        harness.send(.body(Array(repeating: UInt8(ascii: "x"), count: 65_535)))
        harness.send(.body(Array("tail\r\n".utf8)))
        #expect(size.counts(in: harness.session) == MessageSizeCounts(headerBytes: 13, bodyBytes: 65_541))
    }

    @Test func theCountsAreLoggedAtDebugAndNothingIsAdded() throws {
        let (_, harness, lines) = try Self.harness()
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "i", value: "QID1")]))
        let replies = harness.sendMessage(headers: [("From", "a@example.org"), ("Subject", "Hello")], body: "Hello\r\n")
        // "From: a@example.org" 19 + 2, "Subject: Hello" 14 + 2; body 7.
        #expect(lines.all == ["debug QID1: Size: header_bytes=37 body_bytes=7"])
        #expect(changedFieldNames(replies) == ["Authentication-Results"])
        #expect(authResultsEntries(replies) == ["none"])
    }

    @Test func eachMessageCountsAfresh() throws {
        let (size, harness, lines) = try Self.harness()
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "i", value: "QID2")]))
        harness.sendMessage(ending: .abort, headers: [("Subject", "a long first subject line")], body: String(repeating: "y", count: 500))
        harness.send(.mailFrom(["<a@example.com>"]))
        #expect(size.counts(in: harness.session) == MessageSizeCounts())
        harness.sendMessage(headers: [("Subject", "two")], body: "2\r\n")
        #expect(lines.all == ["debug QID2: Size: header_bytes=14 body_bytes=3"])
    }
}
