import Handlers
import MailAuth
import Milter
import TestSupport
import Testing

/// `trusted_domains`: which ARC-Authentication-Results DMARC may honour.
@Suite(.requiresConformanceData(.dkim)) struct ARCHandlerTrustTests {
    typealias Support = ARCHandlerTestSupport

    /// A two-hop chain sealed by example.com then forwarder.example.
    static func twoHops() throws -> [UInt8] {
        let dns = try Support.zone()
        var headers = Support.headers
        for (domain, id) in [("example.com", "mx1.example.com"), ("forwarder.example", "mx.forwarder.example")] {
            headers = Support.hop([try Support.handler(sealingAs: domain)], authservID: id, headers: headers, resolver: dns).headers
        }
        return Support.message(headers)
    }

    /// The handler and the session holding its findings for the message.
    static func verified(_ trusted: String, message: [UInt8]) throws -> (handler: ARCHandler, session: MailSession) {
        let handler = try Support.handler(extra: #""trusted_domains": \#(trusted)"#)
        let session = MailSession(resolver: try Support.zone())
        try Support.Data.run(handler, session, message: message)
        return (handler, session)
    }

    @Test func trustStopsAtTheFirstUntrustedSealer() throws {
        let message = try Self.twoHops()
        let all = try Self.verified(#"["Forwarder.Example", "example.com"]"#, message: message)
        #expect(all.handler.isChainTrusted(in: all.session))
        #expect(all.handler.trustedAuthenticationResults(in: all.session).map(\.instance) == [1, 2])
        #expect(all.handler.trustedAuthenticationResults(in: all.session).map(\.authservID) == ["mx1.example.com", "mx.forwarder.example"])

        let newest = try Self.verified(#"["forwarder.example"]"#, message: message)
        #expect(!newest.handler.isChainTrusted(in: newest.session))
        #expect(newest.handler.trustedAuthenticationResults(in: newest.session).map(\.instance) == [2])

        // The older sealer alone is not reachable through an untrusted hop.
        let oldest = try Self.verified(#"["example.com"]"#, message: message)
        #expect(oldest.handler.trustedAuthenticationResults(in: oldest.session).isEmpty)
    }

    @Test func nothingIsTrustedOnAFailedChain() throws {
        var message = try Self.twoHops()
        message += Array("tampered\r\n".utf8)
        let checked = try Self.verified(#"["forwarder.example", "example.com"]"#, message: message)
        #expect(checked.handler.verification(in: checked.session)?.status == .fail)
        #expect(checked.handler.trustedAuthenticationResults(in: checked.session).isEmpty && !checked.handler.isChainTrusted(in: checked.session))
    }
}
