import Handlers
import MailAuth
import Shared
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
        try Support.Data.run(handler, MailSession(resolver: dns), message: message)
        #expect(handler.isDomainTrusted("Forwarder.Example") && !handler.isDomainTrusted("example.com"))
        #expect(handler.trustedAuthenticationResults.map(\.instance) == [2])
    }
}
