import Config
@testable import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// Sealers see our final results and their headers land above ours.
@Suite struct SealingHandlerTests {
    final class FakeSealer: SealingHandler {
        static let name = "FakeSealer"
        static let defaultConfigJSON = "{}"
        static let helpText = "test sealer"
        var seen: AuthenticationResultsText?
        init(config: ConfigNode) throws(ConfigurationError) {}
        func endOfMessage(_ session: MailSession) throws {
            session.addAuthResult(AuthResultsEntry(method: "x-test", result: "pass"))
        }
        func seal(_ session: MailSession, authservID: String, authResults: AuthenticationResultsText) -> [(name: String, value: String)] {
            seen = authResults
            return [("ARC-Seal", "i=1; seal"), ("ARC-Message-Signature", "i=1; ams"), ("ARC-Authentication-Results", "i=1; aar")]
        }
    }

    @Test func sealHeadersGoAboveAuthenticationResults() throws {
        let sealer = try FakeSealer(config: .object(JSONObject()))
        let session = MailSession(resolver: InMemoryResolverForRemap())
        var settings = DispatcherSettings()
        settings.authservID = "mx.test"
        let dispatcher = MilterDispatcher(handlers: [sealer], session: session, settings: settings, clock: { 0 })
        _ = dispatcher.handle(.mailFrom(["<a@b.test>"]))
        let replies = dispatcher.handle(.endOfMessage([]))
        #expect(sealer.seen == AuthenticationResultsText(entries: "x-test=pass", authservID: "mx.test"))
        #expect(applyHeaderChanges(replies, to: ["Received", "From"]) == [
            "Received", "ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results", "Authentication-Results", "From",
        ])
    }
}
