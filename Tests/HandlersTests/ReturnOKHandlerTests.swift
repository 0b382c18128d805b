import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// ReturnOK: can the envelope sender's and the From header's domains
/// receive mail? `x-return-mx=pass` with an MX, `warn` with only A/AAAA,
/// `fail` otherwise (with the lookups' error words), nothing without a domain.
@Suite struct ReturnOKHandlerTests {
    static var zone: InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        dns.add("example.com", .mx(preference: 10, exchange: "mx1.example.com"))
        dns.add("example.com", .mx(preference: 20, exchange: "mx2.example.com"))
        dns.add("example.com", .a("192.0.2.80"))
        dns.add("a-only.example.com", .a("192.0.2.10"))
        dns.add("v6-only.example.com", .aaaa("2001:db8::25"))
        dns.add("dual.example.com", .a("192.0.2.11"))
        dns.add("dual.example.com", .aaaa("2001:db8::26"))
        dns.addEmptyNode("empty.example.com")
        dns.add("other.example", .mx(preference: 0, exchange: "mail.other.example"))
        dns.markTimeout("slow.example.com")
        dns.markServfail("broken.example.com")
        return dns
    }

    /// Counts the questions asked, passing them on to a zone.
    final class CountingResolver: DNSResolver {
        let zone: InMemoryDNSResolver
        private(set) var questions: [DNSQuestion] = []
        init(_ zone: InMemoryDNSResolver) { self.zone = zone }
        func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] {
            self.questions += questions
            return zone.lookup(questions)
        }
    }

    static func handler() throws -> ReturnOKHandler { try ReturnOKHandler(config: .object(JSONObject())) }

    /// The entries ReturnOK records for one envelope sender.
    static func smtpEntries(_ address: String, zone: InMemoryDNSResolver = zone) throws -> [String] {
        let session = MailSession(resolver: zone)
        try handler().envelopeFrom(session, address: address)
        return session.authResults.map(\.sortKey)
    }

    @Test func mxPassListsTheExchanges() throws {
        #expect(try Self.smtpEntries("<user@example.com>") == [
            "x-return-mx=pass smtp.domain=example.com (MX Records found: mx1.example.com,mx2.example.com)",
        ])
    }

    @Test func mxPassEntryShape() throws {
        let session = MailSession(resolver: Self.zone)
        try Self.handler().envelopeFrom(session, address: "<user@example.com>")
        #expect(session.authResults == [
            AuthResultsEntry(method: "x-return-mx", result: "pass", parts: [
                .property(AuthResultsProperty(type: "smtp", name: "domain", value: "example.com")),
                .comment(AuthResultsComment("MX Records found: mx1.example.com,mx2.example.com")),
            ]),
        ])
    }

    @Test func aOnlyIsWarn() throws {
        #expect(try Self.smtpEntries("<user@a-only.example.com>") == [
            "x-return-mx=warn smtp.domain=a-only.example.com policy.mx_error=NOERROR policy.aaaa_error=NOERROR (A Records found: 192.0.2.10)",
        ])
    }

    @Test func aaaaOnlyIsWarn() throws {
        #expect(try Self.smtpEntries("<user@v6-only.example.com>") == [
            "x-return-mx=warn smtp.domain=v6-only.example.com policy.mx_error=NOERROR policy.a_error=NOERROR (AAAA Records found: 2001:db8::25)",
        ])
    }

    @Test func aAndAaaaAreBothListed() throws {
        #expect(try Self.smtpEntries("<user@dual.example.com>") == [
            "x-return-mx=warn smtp.domain=dual.example.com policy.mx_error=NOERROR (A Records found: 192.0.2.11) (AAAA Records found: 2001:db8::26)",
        ])
    }

    @Test func nothingIsFailWithTheErrorOfEachLookup() throws {
        #expect(try Self.smtpEntries("<user@empty.example.com>") == [
            "x-return-mx=fail smtp.domain=empty.example.com policy.mx_error=NOERROR policy.a_error=NOERROR policy.aaaa_error=NOERROR",
        ])
    }

    @Test func nxdomainIsFailWithNXDOMAIN() throws {
        #expect(try Self.smtpEntries("<user@missing.example.com>") == [
            "x-return-mx=fail smtp.domain=missing.example.com policy.mx_error=NXDOMAIN policy.a_error=NXDOMAIN policy.aaaa_error=NXDOMAIN",
        ])
    }

    @Test func timeoutIsFailWithNetDNSWords() throws {
        #expect(try Self.smtpEntries("<user@slow.example.com>") == [
            #"x-return-mx=fail smtp.domain=slow.example.com policy.mx_error="query timed out" policy.a_error="query timed out" policy.aaaa_error="query timed out""#,
        ])
    }

    @Test func servfailIsFailWithSERVFAIL() throws {
        #expect(try Self.smtpEntries("<user@broken.example.com>") == [
            "x-return-mx=fail smtp.domain=broken.example.com policy.mx_error=SERVFAIL policy.a_error=SERVFAIL policy.aaaa_error=SERVFAIL",
        ])
    }

    @Test func mxErrorIsKeptWhenAFallbackAddressIsFound() throws {
        var zone = Self.zone
        zone.markServfail("flaky.example.com", type: .mx)
        zone.add("flaky.example.com", .a("192.0.2.12"))
        #expect(try Self.smtpEntries("<user@flaky.example.com>", zone: zone) == [
            "x-return-mx=warn smtp.domain=flaky.example.com policy.mx_error=SERVFAIL policy.aaaa_error=NOERROR (A Records found: 192.0.2.12)",
        ])
    }

    /// The newest Perl release writes nothing for the null sender nor for an
    /// address without a domain (its strict parser finds no address); older
    /// releases wrote `x-return-mx=none`.
    @Test(arguments: ["<>", "", "<postmaster>", "postmaster", "<@>"])
    func noDomainNoEntry(address: String) throws {
        let resolver = CountingResolver(Self.zone)
        let session = MailSession(resolver: resolver)
        try Self.handler().envelopeFrom(session, address: address)
        #expect(session.authResults.map(\.sortKey) == [])
        #expect(resolver.questions.isEmpty)
    }

    @Test func fromWithoutAddressNoEntry() throws {
        let resolver = CountingResolver(Self.zone)
        let session = MailSession(resolver: resolver)
        let handler = try Self.handler()
        try handler.envelopeFrom(session, address: "<user@example.com>")
        try handler.header(session, name: "From", value: "Undisclosed recipients:;")
        try handler.header(session, name: "From", value: "foo")
        #expect(session.authResults.map(\.sortKey) == [
            "x-return-mx=pass smtp.domain=example.com (MX Records found: mx1.example.com,mx2.example.com)",
        ])
    }

    @Test func domainIsLowercased() throws {
        #expect(try Self.smtpEntries("<User@EXAMPLE.Com>") == [
            "x-return-mx=pass smtp.domain=example.com (MX Records found: mx1.example.com,mx2.example.com)",
        ])
    }

    @Test func fromHeaderWithDisplayNameAndTwoAddresses() throws {
        let session = MailSession(resolver: Self.zone)
        let handler = try Self.handler()
        try handler.envelopeFrom(session, address: "<>")
        try handler.header(session, name: "From", value: #""Alice Example" <alice@Example.COM>, Bob <bob@other.example>"#)
        #expect(session.authResults.map(\.sortKey) == [
            "x-return-mx=pass header.domain=example.com (MX Records found: mx1.example.com,mx2.example.com)",
            "x-return-mx=pass header.domain=other.example (MX Records found: mail.other.example)",
        ])
    }

    @Test func fromDomainsComeFromTheStrictParser() throws {
        // The angle address inside the quoted local part is not a domain.
        let session = MailSession(resolver: Self.zone)
        let handler = try Self.handler()
        try handler.header(session, name: "From", value: #""a <x@other.example>"@example.com"#)
        #expect(session.authResults.map(\.sortKey) == [
            "x-return-mx=pass header.domain=example.com (MX Records found: mx1.example.com,mx2.example.com)",
        ])
        // A From that does not parse names no domain: other.example is
        // never looked up (the lenient parser took it from the last '@').
        let resolver = CountingResolver(Self.zone)
        let garbled = MailSession(resolver: resolver)
        try Self.handler().header(garbled, name: "From", value: "a@b@other.example")
        #expect(!resolver.questions.contains { $0.name.contains("other.example") })
        #expect(!garbled.authResults.contains { $0.sortKey.contains("other.example") })
    }

    @Test func otherHeadersAreIgnored() throws {
        let resolver = CountingResolver(Self.zone)
        let session = MailSession(resolver: resolver)
        let handler = try Self.handler()
        try handler.header(session, name: "Reply-To", value: "someone@example.com")
        try handler.header(session, name: "Sender", value: "someone@example.com")
        #expect(session.authResults.isEmpty)
        #expect(resolver.questions.isEmpty)
    }

    @Test func sameDomainIsCheckedOncePerTypePerMessage() throws {
        let resolver = CountingResolver(Self.zone)
        let session = MailSession(resolver: resolver)
        let handler = try Self.handler()
        try handler.envelopeFrom(session, address: "<a@example.com>")
        try handler.header(session, name: "From", value: "b@example.com")
        try handler.header(session, name: "From", value: "Carol <c@EXAMPLE.COM>, d@example.com")
        #expect(session.authResults.map(\.sortKey) == [
            "x-return-mx=pass smtp.domain=example.com (MX Records found: mx1.example.com,mx2.example.com)",
            "x-return-mx=pass header.domain=example.com (MX Records found: mx1.example.com,mx2.example.com)",
        ])
        let mxQuestions = resolver.questions.filter { $0.type == .mx }
        #expect(mxQuestions.count == 2)
        #expect(Set(resolver.questions.map(\.type)) == [.mx, .a, .aaaa])

        // The next message checks again.
        session.resetMessage()
        handler.abort(session)
        try handler.envelopeFrom(session, address: "<e@example.com>")
        try handler.header(session, name: "From", value: "f@example.com")
        #expect(session.authResults.count == 2)
        #expect(resolver.questions.filter { $0.type == .mx }.count == 4)
    }

    @Test func newMailFromAloneRestartsTheDeduplication() throws {
        let session = MailSession(resolver: Self.zone)
        let handler = try Self.handler()
        try handler.envelopeFrom(session, address: "<a@example.com>")
        session.resetMessage()
        try handler.envelopeFrom(session, address: "<a@example.com>")
        #expect(session.authResults.count == 1)
    }

    @Test func renderedHeaderForAPassCase() throws {
        let session = MailSession(resolver: Self.zone)
        let handler = try Self.handler()
        try handler.envelopeFrom(session, address: "<user@example.com>")
        try handler.header(session, name: "From", value: "User <user@example.com>")
        let header = AuthenticationResultsHeader(authservID: "mx.example.net",
                                                 entries: session.authResults.sorted { $0.sortKey < $1.sortKey })
        #expect(header.value() == """
            mx.example.net;
                x-return-mx=pass header.domain=example.com (MX Records found: mx1.example.com,mx2.example.com);
                x-return-mx=pass smtp.domain=example.com (MX Records found: mx1.example.com,mx2.example.com)
            """)
    }

    @Test func throughTheDispatcher() throws {
        let harness = Harness(handlers: [try Self.handler()], resolver: Self.zone)
        harness.openConnection()
        let replies = harness.sendMessage(from: "<user@a-only.example.com>",
                                          headers: [("From", "User <user@example.com>"), ("Subject", "Hi")])
        #expect(replies == [
            .insertHeader(index: 1, name: "Authentication-Results", value: """
                mx.example.net;
                    x-return-mx=pass header.domain=example.com (MX Records found: mx1.example.com,mx2.example.com);
                    x-return-mx=warn smtp.domain=a-only.example.com policy.mx_error=NOERROR policy.aaaa_error=NOERROR (A Records found: 192.0.2.10)
                """),
            .continue,
        ])
        // A second message on the connection is checked afresh.
        let second = harness.sendMessage(from: "<user@a-only.example.com>", headers: [("From", "user@example.com")])
        #expect(second == replies)
    }
}
