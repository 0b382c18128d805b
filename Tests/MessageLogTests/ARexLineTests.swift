import JSON
import MailAuth
@testable import MessageLog
import Testing

@Suite struct ARexLineTests {
    static let spf = AuthResultsEntry(method: "spf", result: "pass",
                                      properties: [AuthResultsProperty(key: "smtp.mailfrom", value: "a@example.com")])
    static let iprev = AuthResultsEntry(method: "iprev", result: "fail",
                                        properties: [AuthResultsProperty(key: "policy.iprev", value: "192.0.2.1",
                                                                         comment: AuthResultsComment("NOT FOUND"))])
    static let dkim = AuthResultsEntry(method: "dkim", result: "none", version: "1", comment: AuthResultsComment("no signatures found"))

    @Test func encodesPerlsCanonicalHashref() {
        let header = AuthenticationResultsHeader(authservID: "mx.example.com", entries: [Self.iprev])
        let line = ARexLine(queueID: "4ABC", headers: [.init(fieldName: "Authentication-Results", header: header)])
        // Perl's JSON->canonical: keys sorted at every level.
        #expect(line.json == #"{"ar":[{"payload":{"authserv_id":{"children":[],"type":"authservid","value":"mx.example.com"},"children":[{"children":[{"children":[{"type":"comment","value":"NOT FOUND"}],"key":"policy.iprev","type":"subentry","value":"192.0.2.1"}],"key":"iprev","type":"entry","value":"fail"}],"type":"header"},"type":"Authentication-Results"}],"queue_id":"4ABC"}"#)
    }

    /// The line is written directly (issue 12); it must be the bytes the
    /// general tree and serializer give, for any text in any part.
    @Test func directWriterMatchesTheTree() {
        let texts = ["", "pass", "a\"b", "back\\slash", "tab\there", "nl\nx", "\u{1}\u{1f}\u{7f}", "bücher", "😀 x", "{\"k\":[]}"]
        var generator = SystemRandomNumberGenerator()
        func text() -> String { texts.randomElement(using: &generator)! + texts.randomElement(using: &generator)! }
        func comment() -> AuthResultsComment? { Bool.random(using: &generator) ? AuthResultsComment(text()) : nil }
        for _ in 0..<2_000 {
            var headers: [ARexLine.Header] = []
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                var entries: [AuthResultsEntry] = []
                for _ in 0..<Int.random(in: 0...3, using: &generator) {
                    var parts: [AuthResultsEntry.Part] = []
                    for _ in 0..<Int.random(in: 0...3, using: &generator) {
                        if Bool.random(using: &generator), let c = comment() { parts.append(.comment(c)) }
                        parts.append(.property(AuthResultsProperty(key: text(), value: text(), comment: comment())))
                    }
                    entries.append(AuthResultsEntry(method: text(), result: text(),
                                                    version: Bool.random(using: &generator) ? text() : nil, parts: parts))
                }
                headers.append(.init(fieldName: text(), header: AuthenticationResultsHeader(authservID: text(), entries: entries)))
            }
            let line = ARexLine(queueID: text(), headers: headers)
            #expect(line.json == line.jsonThroughTree)
        }
    }

    @Test func versionComesFirstAmongAnEntrysChildren() {
        let header = AuthenticationResultsHeader(authservID: "mx", entries: [Self.dkim])
        let json = ARexLine(queueID: "q", headers: [.init(fieldName: "Authentication-Results", header: header)]).json
        #expect(json.contains(#""children":[{"type":"version","value":"1"},{"type":"comment","value":"no signatures found"}],"key":"dkim""#))
    }

    @Test func readsBackWhatItWrote() throws {
        let header = AuthenticationResultsHeader(authservID: "mx.example.com", entries: [Self.spf, Self.iprev, Self.dkim])
        let other = AuthenticationResultsHeader(authservID: "mx.example.com", entries: [AuthResultsEntry(method: "bimi", result: "skipped")])
        let line = ARexLine(queueID: "4ABC", headers: [.init(fieldName: "Authentication-Results", header: header),
                                                       .init(fieldName: "X-Experimental-Results", header: other)])
        let read = try ARexLine(logLine: "4ABC: ARex: " + line.json)
        #expect(read == line)
        #expect(read.headers[0].header.value() == header.value())
    }

    @Test func stripsTheLogPrefixAsPerlsToolDoes() throws {
        let header = AuthenticationResultsHeader(authservID: "mx", entries: [Self.spf])
        let json = ARexLine(queueID: "Q1", headers: [.init(fieldName: "Authentication-Results", header: header)]).json
        let syslog = "Dec  5 10:00:00 host e2e[123]: worker[456]: Q1: ARex: " + json
        #expect(try ARexLine(logLine: syslog).queueID == "Q1")
        #expect(try ARexLine(logLine: json).headers.count == 1)
    }

    @Test func noneHeaderHasNoChildren() throws {
        let header = AuthenticationResultsHeader(authservID: "mx.example.com", entries: [])
        let line = ARexLine(queueID: "q", headers: [.init(fieldName: "Authentication-Results", header: header)])
        #expect(line.json.contains(#""children":[],"type":"header""#))
        #expect(try ARexLine(logLine: line.json).headers[0].header.value() == "mx.example.com; none")
    }

    @Test func refusesWhatIsNotAnARexLine() {
        #expect(throws: MessageLogError.self) { try ARexLine(logLine: "Q1: SPF: pass") }
        #expect((try? ARexLine(logLine: "Q1: SPF: pass")) == nil)
        func code(_ text: String) -> MessageLogError.Code? {
            do { _ = try ARexLine(logLine: text); return nil } catch { return error.code }
        }
        #expect(code("Q1: SPF: pass") == .notARex)
        #expect(code("Q1: ARex: {not json") == .invalidJSON)
        #expect(code(#"Q1: ARex: {"queue_id":"x"}"#) == .malformed)
        #expect(code(#"Q1: ARex: {"ar":[{"payload":{"type":"entry"}}]}"#) == .malformed)
        #expect(code(#"Q1: ARex: {"ar":[{"payload":{"type":"header","authserv_id":{"value":"mx"},"children":[{"type":"entry","key":"spf","value":"pass","children":[{"type":"bogus"}]}]}}]}"#) == .malformed)
        #expect(code("Q1: ARex: " + String(repeating: "x", count: ARexLine.maximumBytes)) == .tooLong)
    }

    @Test func aPropertysExtraCommentsAreJoined() throws {
        let text = #"{"ar":[{"payload":{"authserv_id":{"children":[],"type":"authservid","value":"mx"},"children":[{"children":[{"children":[{"type":"comment","value":"a"},{"type":"comment","value":"b"}],"key":"policy.x","type":"subentry","value":"1"}],"key":"x-test","type":"entry","value":"pass"}],"type":"header"},"type":"Authentication-Results"}],"queue_id":"q"}"#
        let header = try ARexLine(logLine: text).headers[0].header
        #expect(header.value(style: .none) == "mx; x-test=pass policy.x=1 (a b)")
    }

    @Test func legacyLineIsTheHeaderOnOneLine() {
        let header = AuthenticationResultsHeader(authservID: "mx", entries: [Self.spf, Self.iprev])
        #expect(LegacyLogLine.value(fieldName: "Authentication-Results", header: header)
                == "Authentication-Results mx; iprev=fail policy.iprev=192.0.2.1 (NOT FOUND); spf=pass smtp.mailfrom=a@example.com"
                || LegacyLogLine.value(fieldName: "Authentication-Results", header: header)
                == "Authentication-Results mx; spf=pass smtp.mailfrom=a@example.com; iprev=fail policy.iprev=192.0.2.1 (NOT FOUND)")
        #expect(!LegacyLogLine.value(fieldName: "A", header: header).contains("\n"))
    }
}
