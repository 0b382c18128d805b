import Handlers
import MailAuth
import Testing

/// MailSession.setVerdict: the strongest wish wins (reject over tempfail
/// over quarantine), and resetMessage forgets it.
@Suite struct MailSessionVerdictTests {
    static func session() -> MailSession { MailSession(resolver: InMemoryDNSResolver()) }

    @Test func rejectIsNeverWeakened() {
        let session = Self.session()
        session.setVerdict(.reject("550 5.7.1 First"))
        session.setVerdict(.tempfail("451 4.7.1 Later"))
        session.setVerdict(.quarantine("q"))
        session.setVerdict(.none)
        #expect(session.verdict == .reject("550 5.7.1 First"))
    }

    @Test func rejectStrengthensTempfailAndQuarantine() {
        let session = Self.session()
        session.setVerdict(.quarantine("q"))
        session.setVerdict(.tempfail("451 4.7.1 Later"))
        #expect(session.verdict == .tempfail("451 4.7.1 Later"))
        session.setVerdict(.reject("550 5.7.1 No"))
        #expect(session.verdict == .reject("550 5.7.1 No"))
    }

    @Test func tempfailIsNotWeakenedToQuarantine() {
        let session = Self.session()
        session.setVerdict(.tempfail("451 4.7.1 Later"))
        session.setVerdict(.quarantine("q"))
        session.setVerdict(.none)
        #expect(session.verdict == .tempfail("451 4.7.1 Later"))
    }

    @Test func quarantineIsNotClearedByAWeakerWish() {
        let session = Self.session()
        session.setVerdict(.quarantine("q"))
        session.setVerdict(.none)
        #expect(session.verdict == .quarantine("q"))
    }

    @Test func resetMessageForgetsVerdictAndFindings() {
        let session = Self.session()
        session.setVerdict(.reject("550 5.7.1 No"))
        session.addAuthResult(AuthResultsEntry(method: "spf", result: "pass"))
        session.appendHeader(name: "X-A", value: "a")
        session.prependHeader(name: "X-P", value: "p")
        session.envelopeFrom = "<a@example.org>"
        session.envelopeRecipients = ["<b@example.net>"]
        session.macros = ["j": "mx.example.net"]
        session.heloHost = "helo.example.org"
        session.resetMessage()
        #expect(session.verdict == .none)
        #expect(session.authResults.isEmpty)
        #expect(session.appendedHeaders.isEmpty)
        #expect(session.prependedHeaders.isEmpty)
        #expect(session.envelopeFrom == "")
        #expect(session.envelopeRecipients.isEmpty)
        #expect(session.macros == ["j": "mx.example.net"])
        #expect(session.heloHost == "helo.example.org")
    }
}
