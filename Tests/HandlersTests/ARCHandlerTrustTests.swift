import Handlers
import MailAuth
import Milter
import Shared
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

    static func verified(_ trusted: String, message: [UInt8]) throws -> ARCHandler {
        let handler = try Support.handler(extra: #""trusted_domains": \#(trusted)"#)
        try Support.Data.run(handler, MailSession(resolver: try Support.zone()), message: message)
        return handler
    }

    @Test func trustStopsAtTheFirstUntrustedSealer() throws {
        let message = try Self.twoHops()
        let all = try Self.verified(#"["Forwarder.Example", "example.com"]"#, message: message)
        #expect(all.isChainTrusted)
        #expect(all.trustedAuthenticationResults.map(\.instance) == [1, 2])
        #expect(all.trustedAuthenticationResults.map(\.authservID) == ["mx1.example.com", "mx.forwarder.example"])

        let newest = try Self.verified(#"["forwarder.example"]"#, message: message)
        #expect(!newest.isChainTrusted)
        #expect(newest.trustedAuthenticationResults.map(\.instance) == [2])

        // The older sealer alone is not reachable through an untrusted hop.
        let oldest = try Self.verified(#"["example.com"]"#, message: message)
        #expect(oldest.trustedAuthenticationResults.isEmpty)
    }

    @Test func nothingIsTrustedOnAFailedChain() throws {
        var message = try Self.twoHops()
        message += Array("tampered\r\n".utf8)
        let handler = try Self.verified(#"["forwarder.example", "example.com"]"#, message: message)
        #expect(handler.verification?.status == .fail)
        #expect(handler.trustedAuthenticationResults.isEmpty && !handler.isChainTrusted)
    }
}
