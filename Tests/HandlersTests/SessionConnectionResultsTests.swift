@testable import Handlers
import MailAuth
import Milter
import Testing

/// Connection-level results reach every message's header; header removals
/// go out as deletions, highest occurrence first.
@Suite struct SessionConnectionResultsTests {
    func dispatcher() -> (MilterDispatcher, MailSession) {
        let session = MailSession(resolver: InMemoryResolverForRemap())
        var settings = DispatcherSettings()
        settings.authservID = "mx.test"
        return (MilterDispatcher(handlers: [], session: session, settings: settings, clock: { 0 }), session)
    }

    @Test func connectionResultsAppearInEveryMessageUntilTheConnectionEnds() {
        let (d, session) = dispatcher()
        _ = d.handle(.connect(hostname: "h", family: .inet, port: 1, address: "192.0.2.1"))
        session.addConnectionAuthResult(AuthResultsEntry(method: "x-local-ip", result: "pass"))
        for _ in 0..<2 {
            _ = d.handle(.mailFrom(["<a@b.test>"]))
            let replies = d.handle(.endOfMessage([]))
            #expect(replies.first == .insertHeader(index: 1, name: "Authentication-Results", value: "mx.test;\n    x-local-ip=pass"))
        }
        _ = d.handle(.quitNewConnection)
        _ = d.handle(.mailFrom(["<a@b.test>"]))
        #expect(d.handle(.endOfMessage([])).first == .insertHeader(index: 1, name: "Authentication-Results", value: "mx.test; none"))
    }

    @Test func removalsAreDeletionsHighestOccurrenceFirst() {
        let (d, session) = dispatcher()
        _ = d.handle(.mailFrom(["<a@b.test>"]))
        session.removeHeader(name: "Authentication-Results", occurrence: 1)
        session.removeHeader(name: "Authentication-Results", occurrence: 3)
        session.removeHeader(name: "Authentication-Results", occurrence: 3)
        let replies = d.handle(.endOfMessage([]))
        #expect(Array(replies.prefix(2)) == [
            .changeHeader(index: 3, name: "Authentication-Results", value: ""),
            .changeHeader(index: 1, name: "Authentication-Results", value: ""),
        ])
        // Forgotten with the message.
        _ = d.handle(.mailFrom(["<a@b.test>"]))
        #expect(!d.handle(.endOfMessage([])).contains { if case .changeHeader = $0 { return true }; return false })
    }
}
