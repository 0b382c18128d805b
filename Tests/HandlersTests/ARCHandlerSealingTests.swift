import Handlers
import JSON
import MailAuth
import Milter
import TestSupport
import Testing

/// When the ARC handler seals, and with what.
@Suite(.requiresConformanceData(.dkim)) struct ARCHandlerSealingTests {
    typealias Support = ARCHandlerTestSupport

    @Test func failedChainIsSealedWithCvFail() throws {
        let dns = try Support.zone()
        let first = Support.hop([try Support.handler(sealingAs: "example.com")], authservID: "mx1.example.com",
                                headers: Support.headers, resolver: dns)
        let handler = try Support.handler(sealingAs: "forwarder.example")
        let second = Support.hop([handler], authservID: "mx.forwarder.example", headers: first.headers,
                                 body: Support.body + "changed\r\n", resolver: dns)
        #expect(second.headers[0].0 == "ARC-Seal" && second.headers[0].1.contains("cv=fail; d=forwarder.example; i=2;"))
        #expect(handler.lastSealError == nil)
        // The next hop sees a chain that has ended, and does not seal it.
        let thirdHandler = try Support.handler(sealingAs: "list.example")
        let third = Support.hop([thirdHandler], authservID: "mx.list.example", headers: second.headers,
                                body: Support.body + "changed\r\n", resolver: dns)
        #expect(Support.entries(third.authResults).first?.hasPrefix("arc=fail") == true)
        #expect(third.headers.first?.0 == "Authentication-Results")
        #expect(thirdHandler.lastSealError == .chainAlreadyFailed)
    }

    @Test func extraSignedHeadersAndInlineKey() throws {
        // arcseal_key as Mail::DKIM takes it: the bare base64 of the key.
        let pem = try Support.Data.text("2048_testkey.key")
        let base64 = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let handler = try ARCHandler(config: JSONParser.parse("""
            { "arcseal_domain": "example.com", "arcseal_selector": "arc", "arcseal_key": \(Support.quoted(base64)),
              "arcseal_headers": "X-List:x-other" }
            """))
        #expect(handler.seals && handler.sealingKey?.domain == "example.com")
        let dns = try Support.zone()
        let first = Support.hop([handler], authservID: "mx1.example.com",
                                headers: Support.headers + [("X-List", "list")], resolver: dns)
        let ams = try #require(first.headers.first { $0.0 == "ARC-Message-Signature" }?.1)
        #expect(ams.filter { !$0.isWhitespace }.contains(":x-list;") || ams.filter { !$0.isWhitespace }.contains(":x-list:"))
        let second = Support.hop([try Support.handler()], authservID: "mx2.example.net", headers: first.headers, resolver: dns)
        #expect(Support.entries(second.authResults).first?.hasPrefix("arc=pass") == true)
    }

    @Test func ourResultsGoIntoTheAAR() throws {
        let dns = try Support.zone()
        let spf = ScriptedHandler()
        spf.onEndOfMessage = { $0.addAuthResult(AuthResultsEntry(method: "spf", result: "pass",
                                                                 properties: [AuthResultsProperty(key: "smtp.mailfrom", value: "example.org")])) }
        let first = Support.hop([try Support.handler(sealingAs: "example.com"), spf], authservID: "mx1.example.com",
                                headers: Support.headers, resolver: dns)
        let aar = try #require(first.headers.first { $0.0 == "ARC-Authentication-Results" }?.1)
        #expect(aar == "i=1; mx1.example.com;\n\tarc=none (no signatures found); spf=pass smtp.mailfrom=example.org")
    }
}
