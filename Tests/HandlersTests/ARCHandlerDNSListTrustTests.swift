import Handlers
import MailAuth
import TestSupport
import Testing

/// `rbl_whitelist`: a sealing domain with an A record under the list is
/// trusted.
@Suite(.requiresConformanceData(.dkim)) struct ARCHandlerDNSListTrustTests {
    typealias Support = ARCHandlerTestSupport

    @Test func listedDomainsAreTrusted() throws {
        let message = try ARCHandlerTrustTests.twoHops()
        var dns = try Support.zone()
        dns.add("forwarder.example.trusted.example", .a([127, 0, 0, 2]))
        let handler = try Support.handler(extra: #""rbl_whitelist": "trusted.example""#)
        let session = MailSession(resolver: dns)
        try Support.Data.run(handler, session, message: message)
        #expect(handler.isDomainTrusted("Forwarder.Example", in: session) && !handler.isDomainTrusted("example.com", in: session))
        #expect(handler.trustedAuthenticationResults(in: session).map(\.instance) == [2])
    }
}
