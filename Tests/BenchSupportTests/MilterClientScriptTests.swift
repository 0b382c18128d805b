import Milter
import MilterClient
import Testing

/// The MTA side of negotiation and header changes, which the chained
/// bench relies on.
@Suite struct MilterClientScriptTests {
    static let message = MilterClientMessage(headers: [("From", "a@example.com"), ("Subject", "hi")], body: Array(repeating: 0x61, count: 70_000))

    /// The commands of each step, decoded back.
    func steps(_ script: inout MilterClientScript) throws -> [[MilterCommand]] {
        var out: [[MilterCommand]] = []
        while true {
            let bytes = script.nextStep()
            if bytes.isEmpty { return out }
            var decoder = MilterDecoder()
            decoder.append(bytes)
            var step: [MilterCommand] = []
            while let command = try decoder.next() { step.append(command) }
            out.append(step)
        }
    }

    @Test func withoutNegotiatedStepsEveryCommandWaits() throws {
        var script = MilterClientScript(Self.message.commands)
        let all = try steps(&script)
        // macros+connect, helo, mail, rcpt, data, 2 headers, eoh, 2 body chunks, eom
        #expect(all.count == 11)
        #expect(script.endOfMessageSent)
    }

    @Test func noReplyAndNoCommandFlagsAsPostfixHonoursThem() throws {
        var script = MilterClientScript(Self.message.commands)
        script.negotiated([.noHelo, .noReplyToHeader, .noReplyToConnect, .noReplyToMailFrom, .noReplyToRcptTo, .noReplyToData,
                           .noReplyToEndOfHeaders, .headerLeadingSpace])
        let all = try steps(&script)
        #expect(all.count == 3, "everything to the first body chunk, the second chunk, end of message")
        #expect(!all[0].contains { if case .helo = $0 { true } else { false } })
        #expect(all[0].contains(.header(name: "From", value: " a@example.com")), "leading space kept")
        #expect(all[2] == [.endOfMessage([])])
    }

    @Test func skipEndsTheBody() throws {
        var script = MilterClientScript(Self.message.commands)
        while script.nextStep().count < 60_000 {}
        script.skipBody()
        var decoder = MilterDecoder()
        decoder.append(script.nextStep())
        #expect(try decoder.next() == .endOfMessage([]))
    }

    @Test func headerChangesAsTheNextMilterSeesThem() {
        let changed = Self.message.applying([
            .insertHeader(index: 0, name: "Authentication-Results", value: " mx; dkim=pass"),
            .addHeader(name: "X-Added", value: " last"),
            .changeHeader(index: 1, name: "subject", value: " hello"),
            .insertHeader(index: 99, name: "X-Far", value: "v"),
            .changeHeader(index: 2, name: "From", value: "ignored: no second From"),
        ], leadingSpace: true)
        #expect(changed.headers.map(\.name) == ["Authentication-Results", "From", "Subject", "X-Added", "X-Far"])
        #expect(changed.headers.map(\.value) == ["mx; dkim=pass", "a@example.com", "hello", "last", "v"])
        let deleted = Self.message.applying([.changeHeader(index: 1, name: "Subject", value: "")])
        #expect(deleted.headers.map(\.name) == ["From"])
    }

    @Test func endpoints() {
        #expect(MilterClientEndpoint.parse("/run/x.sock") == .unix(path: "/run/x.sock"))
        #expect(MilterClientEndpoint.parse("unix:/run/x.sock") == .unix(path: "/run/x.sock"))
        #expect(MilterClientEndpoint.parse("local:/run/x.sock") == .unix(path: "/run/x.sock"))
        #expect(MilterClientEndpoint.parse("inet:8891@127.0.0.1") == .tcp(host: "127.0.0.1", port: 8891))
        #expect(MilterClientEndpoint.parse("127.0.0.1:12345") == .tcp(host: "127.0.0.1", port: 12345))
        #expect(MilterClientEndpoint.parse("unix:relative") == nil)
        #expect(MilterClientEndpoint.parse("host:0") == nil)
        #expect(MilterClientEndpoint.parse("nothing") == nil)
        #expect(MilterClientEndpoint.unix(path: "/x").description == "unix:/x")
    }
}
