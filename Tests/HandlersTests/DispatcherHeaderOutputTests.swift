import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// What the dispatcher sends at end of message: the Authentication-Results
/// header at the top (entries sorted as the Perl program's header_sort
/// sorts them), then the handlers' own headers, then `continue`.
@Suite struct DispatcherHeaderOutputTests {
    @Test func fullMessageWithAddID() throws {
        let harness = Harness(handlers: [try AddIDHandler(config: .object(JSONObject()))])
        #expect(harness.send(.optionNegotiation(version: 6, actions: .all, steps: .all)).count == 1)
        #expect(harness.send(.defineMacros(forCommand: UInt8(ascii: "C"), macros: [MilterMacro(name: "j", value: "mx.example.net")])).isEmpty)
        // AddID refuses nothing before DATA: connect, HELO, MAIL and RCPT
        // were negotiated without replies, as were the content stages.
        #expect(harness.send(.connect(hostname: "mail.example.org", family: .inet, port: 40000, address: "192.0.2.1")) == [])
        #expect(harness.send(.helo("mail.example.org")) == [])
        #expect(harness.send(.mailFrom(["<sender@example.org>", "SIZE=100"])) == [])
        #expect(harness.send(.rcptTo(["<rcpt@example.net>"])) == [])
        #expect(harness.send(.data) == [])
        #expect(harness.send(.header(name: "From", value: "sender@example.org")) == [])
        #expect(harness.send(.header(name: "Subject", value: "Hi")) == [])
        #expect(harness.send(.endOfHeaders) == [])
        #expect(harness.send(.body(Array("Hello\r\n".utf8))) == [])
        #expect(harness.send(.endOfMessage([])) == [
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net; none"),
            addIDReply,
            .continue,
        ])
        #expect(harness.dispatcher.drainLog().isEmpty)
    }

    @Test func sessionSeesTheEnvelope() {
        let handler = ScriptedHandler()
        var seen: (from: String, rcpts: [String], ip: String, host: String, helo: String)?
        handler.onEndOfHeaders = { session in
            seen = (session.envelopeFrom, session.envelopeRecipients, session.remoteIP, session.remoteHostname, session.heloHost)
        }
        let harness = Harness(handlers: [handler])
        harness.openConnection(helo: "helo.example.org")
        harness.send(.mailFrom(["<sender@example.org>", "BODY=8BITMIME"]))
        harness.send(.rcptTo(["<one@example.net>"]))
        harness.send(.rcptTo(["<two@example.net>", "NOTIFY=NEVER"]))
        harness.send(.endOfHeaders)
        #expect(seen?.from == "<sender@example.org>")
        #expect(seen?.rcpts == ["<one@example.net>", "<two@example.net>"])
        #expect(seen?.ip == "192.0.2.1")
        #expect(seen?.host == "mail.example.org")
        #expect(seen?.helo == "helo.example.org")
    }

    @Test func hideNoneDropsTheNoneHeader() throws {
        let harness = Harness(handlers: [try AddIDHandler(config: .object(JSONObject()))], settings: .with { $0.hideNone = true })
        harness.openConnection()
        #expect(harness.sendMessage() == [addIDReply, .continue])
    }

    @Test func hideNoneKeepsAHeaderWithEntries() {
        let handler = ScriptedHandler()
        handler.onEndOfMessage = { $0.addAuthResult(AuthResultsEntry(method: "x-test", result: "none")) }
        let harness = Harness(handlers: [handler], settings: .with { $0.hideNone = true })
        harness.openConnection()
        #expect(harness.sendMessage() == [
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net;\n    x-test=none"), .continue,
        ])
    }

    @Test func entriesAreSortedBytewiseByTheirFlatRendering() {
        // Added out of order, across stages; the Perl program sorts the
        // entries' as_string with `cmp` before rendering.
        let handler = ScriptedHandler()
        handler.onEnvelopeFrom = { session, _ in
            session.addAuthResult(AuthResultsEntry(method: "x-return-mx", result: "pass", properties: [
                AuthResultsProperty(key: "smtp.domain", value: "example.org")]))
        }
        handler.onHeader = { session, name, _ in
            guard name == "From" else { return }
            session.addAuthResult(AuthResultsEntry(method: "x-return-mx", result: "pass", properties: [
                AuthResultsProperty(key: "header.domain", value: "example.org")]))
        }
        handler.onEndOfMessage = { session in
            session.addAuthResult(AuthResultsEntry(method: "spf", result: "pass", properties: [
                AuthResultsProperty(key: "smtp.mailfrom", value: "sender@example.org")]))
            session.addAuthResult(AuthResultsEntry(method: "dkim", result: "pass", comment: AuthResultsComment("2048-bit rsa key sha256"),
                                                   properties: [AuthResultsProperty(key: "header.d", value: "example.org")]))
            session.addAuthResult(AuthResultsEntry(method: "dkim", result: "fail", properties: [
                AuthResultsProperty(key: "header.d", value: "example.org")]))
            session.addAuthResult(AuthResultsEntry(method: "X-Upper", result: "pass"))
        }
        let harness = Harness(handlers: [handler])
        harness.openConnection()
        let replies = harness.sendMessage()
        #expect(replies == [
            .insertHeader(index: 1, name: "Authentication-Results", value: """
                mx.example.net;
                    X-Upper=pass;
                    dkim=fail header.d=example.org;
                    dkim=pass (2048-bit rsa key sha256) header.d=example.org;
                    spf=pass smtp.mailfrom=sender@example.org;
                    x-return-mx=pass header.domain=example.org;
                    x-return-mx=pass smtp.domain=example.org
                """),
            .continue,
        ])
    }

    @Test func sortUsesTheWholeEntryNotInsertionOrder() {
        let entries = [
            AuthResultsEntry(method: "spf", result: "pass"),
            AuthResultsEntry(method: "iprev", result: "pass"),
            AuthResultsEntry(method: "auth", result: "pass"),
        ]
        let handler = ScriptedHandler()
        handler.onEndOfMessage = { session in entries.forEach(session.addAuthResult) }
        let harness = Harness(handlers: [handler], settings: .with { $0.indentStyle = .none })
        harness.openConnection()
        #expect(harness.sendMessage().first == .insertHeader(
            index: 1, name: "Authentication-Results", value: "mx.example.net; auth=pass; iprev=pass; spf=pass"))
        #expect(entries.map(\.sortKey) == ["spf=pass", "iprev=pass", "auth=pass"])
    }

    @Test func layoutSettingsReachTheRendering() {
        let handler = ScriptedHandler()
        handler.onEndOfMessage = { session in
            session.addAuthResult(AuthResultsEntry(method: "spf", result: "pass", properties: [
                AuthResultsProperty(key: "smtp.mailfrom", value: "sender@example.org"),
                AuthResultsProperty(key: "smtp.helo", value: "mail.example.org")]))
        }
        let harness = Harness(handlers: [handler], settings: .with { $0.indentStyle = .subentry; $0.indentBy = 2 })
        harness.openConnection()
        #expect(harness.sendMessage().first == .insertHeader(index: 1, name: "Authentication-Results", value: """
            mx.example.net;
              spf=pass
                smtp.mailfrom=sender@example.org
                smtp.helo=mail.example.org
            """))
    }

    @Test func appendedHeadersGoToTheEndInOrder() {
        let handler = ScriptedHandler()
        handler.onEndOfMessage = { session in
            session.appendHeader(name: "X-Appended-1", value: "a1")
            session.appendHeader(name: "X-Appended-2", value: "a2")
        }
        let harness = Harness(handlers: [handler])
        harness.openConnection()
        let replies = harness.sendMessage()
        #expect(replies == [
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net; none"),
            .addHeader(name: "X-Appended-1", value: "a1"),
            .addHeader(name: "X-Appended-2", value: "a2"),
            .continue,
        ])
        #expect(applyHeaderChanges(replies, to: ["Received", "From", "Subject"]) == [
            "Received", "Authentication-Results", "From", "Subject", "X-Appended-1", "X-Appended-2",
        ])
    }

    /// The Perl program collects prepend_header calls (the handlers' eom
    /// ones first, then its own Authentication-Results) and inserts each at
    /// index 1, so every later one lands above the earlier ones: the
    /// Authentication-Results header ends on top, the handlers' prepended
    /// headers below it in reverse order of their calls.
    @Test func prependedHeadersStackAsPerlInsertsThem() {
        let handler = ScriptedHandler()
        handler.onEndOfMessage = { session in
            session.prependHeader(name: "X-Prepended-1", value: "p1")
            session.prependHeader(name: "X-Prepended-2", value: "p2")
            session.appendHeader(name: "X-Appended", value: "a")
        }
        let harness = Harness(handlers: [handler])
        harness.openConnection()
        let replies = harness.sendMessage()
        #expect(replies.last == .continue)
        #expect(applyHeaderChanges(replies, to: ["Received", "From", "Subject"]) == [
            "Received", "Authentication-Results", "X-Prepended-2", "X-Prepended-1", "From", "Subject", "X-Appended",
        ])
    }

    @Test func lastBodyChunkInEndOfMessageReachesBodyCallbacks() {
        let handler = ScriptedHandler()
        var bodies: [[UInt8]] = []
        handler.onBody = { _, chunk in bodies.append(Array(chunk)) }
        let harness = Harness(handlers: [handler])
        harness.openConnection()
        harness.send(.mailFrom(["<sender@example.org>"]))
        harness.send(.body(Array("one".utf8)))
        let replies = harness.send(.endOfMessage(Array("two".utf8)))
        #expect(bodies == [Array("one".utf8), Array("two".utf8)])
        #expect(replies.last == .continue)
        #expect(handler.calls.suffix(3) == ["body", "eom", "abort"])
    }

    @Test func dataAndUnknownCommandsContinueWithoutCallbacks() {
        let handler = ScriptedHandler()
        let harness = Harness(handlers: [handler])
        #expect(harness.send(.data) == [.continue])
        #expect(harness.send(.unknown("XFOO bar")) == [.continue])
        #expect(handler.calls.isEmpty)
    }

    @Test func handlersAreCalledInTheGivenOrder() {
        var order: [String] = []
        let first = ScriptedHandler()
        first.onEnvelopeFrom = { _, _ in order.append("first") }
        let second = ScriptedHandler()
        second.onEnvelopeFrom = { _, _ in order.append("second") }
        let harness = Harness(handlers: [first, second])
        harness.send(.mailFrom(["<a@example.org>"]))
        #expect(order == ["first", "second"])
    }
}

/// The header names of a message after the MTA applied `replies` (insert at
/// a 0-based position, add at the end, change or delete the n-th field of
/// a name), for checking where headers end up.
func applyHeaderChanges(_ replies: [MilterResponse], to names: [String]) -> [String] {
    var headers = names
    for reply in replies {
        switch reply {
        case .insertHeader(let index, let name, _):
            headers.insert(name, at: min(Int(index), headers.count))
        case .addHeader(let name, _):
            headers.append(name)
        case .changeHeader(let index, let name, let value):
            let positions = headers.indices.filter { headers[$0].lowercased() == name.lowercased() }
            if value.isEmpty, Int(index) >= 1, Int(index) <= positions.count { headers.remove(at: positions[Int(index) - 1]) }
        default:
            break
        }
    }
    return headers
}
