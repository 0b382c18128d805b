import Handlers
import MailAuth
import Milter
import Testing

/// The dispatcher lowercases a header's name once for every handler; a
/// handler asking about another name still gets that name lowercased.
@Suite struct MailSessionHeaderNameTests {
    @Test func theCurrentHeadersNameIsLoweredOnceAndOthersStillWork() {
        let seen = ScriptedHandler()
        var lowered: [String] = []
        var other = ""
        seen.onHeader = { session, name, _ in
            lowered.append(session.lowercasedHeaderName(name))
            other = session.lowercasedHeaderName("X-Other")
        }
        let harness = Harness(handlers: [seen])
        harness.openConnection()
        harness.sendMessage(headers: [("From", "a@example.org"), ("DKIM-Signature", "v=1"), ("SUBJECT", "x")])
        #expect(lowered == ["from", "dkim-signature", "subject"])
        #expect(other == "x-other")
        #expect(harness.session.currentHeaderName == nil)
        #expect(harness.session.lowercasedHeaderName("Received") == "received")
    }
}
