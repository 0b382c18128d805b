import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// PTR: `x-ptr=pass|fail smtp.helo=<helo> policy.ptr=<verified names>`
/// (connection-level) at HELO, from what IPRev verified.
@Suite struct PTRHandlerTests {
    static func handler() throws -> PTRHandler { try PTRHandler(config: JSONParser.parse(PTRHandler.defaultConfigJSON)) }

    static func entries(verified: String?, helo: String, configure: (MailSession) -> Void = { _ in }) throws -> [String] {
        let session = MailSession(resolver: InMemoryDNSResolver())
        session.verifiedPTR = verified
        session.heloHost = helo
        configure(session)
        try handler().helo(session, host: helo)
        #expect(session.authResults.isEmpty)
        return session.connectionAuthResults.map(\.sortKey)
    }

    @Test func defaultConfigAndDependency() throws {
        _ = try Self.handler()
        #expect(PTRHandler.configKeys.isEmpty)
        #expect(PTRHandler.dependencyNames == ["IPRev"])
    }

    @Test func heloMatchingAVerifiedNamePasses() throws {
        #expect(try Self.entries(verified: "mail.example.com", helo: "mail.example.com") == [
            "x-ptr=pass smtp.helo=mail.example.com policy.ptr=mail.example.com",
        ])
        // Compared without regard to case; both written as given.
        #expect(try Self.entries(verified: "Mail.Example.com", helo: "MAIL.example.COM") == [
            "x-ptr=pass smtp.helo=MAIL.example.COM policy.ptr=Mail.Example.com",
        ])
        #expect(try Self.entries(verified: "a.example.com,b.example.com", helo: "b.example.com") == [
            "x-ptr=pass smtp.helo=b.example.com policy.ptr=a.example.com,b.example.com",
        ])
    }

    @Test func entryShape() throws {
        let session = MailSession(resolver: InMemoryDNSResolver())
        session.verifiedPTR = "mail.example.com"
        try Self.handler().helo(session, host: "mail.example.com")
        #expect(session.connectionAuthResults == [AuthResultsEntry(method: "x-ptr", result: "pass", properties: [
            AuthResultsProperty(type: "smtp", name: "helo", value: "mail.example.com"),
            AuthResultsProperty(type: "policy", name: "ptr", value: "mail.example.com"),
        ])])
    }

    @Test func otherHeloFails() throws {
        #expect(try Self.entries(verified: "mail.example.com", helo: "laptop") == [
            "x-ptr=fail smtp.helo=laptop policy.ptr=mail.example.com",
        ])
        #expect(try Self.entries(verified: "a.example.com,b.example.com", helo: "example.com") == [
            "x-ptr=fail smtp.helo=example.com policy.ptr=a.example.com,b.example.com",
        ])
        // Nothing verified: Perl writes the empty value as "".
        #expect(try Self.entries(verified: "", helo: "laptop") == [#"x-ptr=fail smtp.helo=laptop policy.ptr="""#])
        #expect(try Self.entries(verified: "", helo: "") == [#"x-ptr=fail smtp.helo="" policy.ptr="""#])
    }

    @Test func oddHeloIsCleaned() throws {
        #expect(try Self.entries(verified: "", helo: "[192.0.2.1] (me); x=y") == [#"x-ptr=fail smtp.helo="[192.0.2.1]  me   x=y" policy.ptr="""#])
    }

    /// Without IPRev there is nothing to compare with, and nothing is written.
    @Test func withoutIPRevNothingIsWritten() throws {
        #expect(try Self.entries(verified: nil, helo: "mail.example.com") == [])
    }

    @Test func localTrustedAndAuthenticatedClientsAreSkipped() throws {
        #expect(try Self.entries(verified: "", helo: "laptop") { $0.isLocalIP = true } == [])
        #expect(try Self.entries(verified: "", helo: "laptop") { $0.isTrustedIP = true } == [])
        #expect(try Self.entries(verified: "", helo: "laptop") { $0.isAuthenticated = true } == [])
    }

    /// The HELO name checks use is the session's (after `helo_map`).
    @Test func remappedHeloIsChecked() throws {
        let session = MailSession(resolver: InMemoryDNSResolver())
        session.verifiedPTR = "mail.example.com"
        session.heloHost = "mail.example.com"
        try Self.handler().helo(session, host: "sent-helo")
        #expect(session.connectionAuthResults.map(\.sortKey) == ["x-ptr=pass smtp.helo=mail.example.com policy.ptr=mail.example.com"])
    }

    /// Through the dispatcher with IPRev: both entries on every message; a
    /// second EHLO (after STARTTLS) is not checked again.
    @Test func withIPRevThroughTheDispatcher() throws {
        var dns = InMemoryDNSResolver()
        dns.add("1.2.0.192.in-addr.arpa", .ptr("mail.example.org"))
        dns.add("mail.example.org", .a("192.0.2.1"))
        let harness = Harness(handlers: [try IPRevHandler(config: .object(JSONObject())), try Self.handler()], resolver: dns)
        harness.openConnection(helo: "mail.example.org")
        harness.send(.helo("other.example.org"))
        let header = MilterResponse.insertHeader(index: 1, name: "Authentication-Results", value: """
            mx.example.net;
                iprev=pass smtp.remote-ip=192.0.2.1 (mail.example.org);
                x-ptr=pass smtp.helo=mail.example.org policy.ptr=mail.example.org
            """)
        #expect(harness.sendMessage() == [header, .continue])
        #expect(harness.sendMessage() == [header, .continue])
    }

    @Test func failingHeloThroughTheDispatcher() throws {
        let harness = Harness(handlers: [try IPRevHandler(config: .object(JSONObject())), try Self.handler()])
        harness.openConnection(helo: "laptop")
        #expect(harness.sendMessage() == [.insertHeader(index: 1, name: "Authentication-Results", value: """
            mx.example.net;
                iprev=fail smtp.remote-ip=192.0.2.1 (Error NXDOMAIN looking up 192.0.2.1 PTR,NOT FOUND);
                x-ptr=fail smtp.helo=laptop policy.ptr=""
            """), .continue])
    }
}
