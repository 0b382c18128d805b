import Config
import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// AlignedFrom (issue 13): one `x-aligned-from` entry per message comparing
/// MAIL FROM with the From header, in the words and order of Perl's
/// `AlignedFrom.pm` `eom_callback`.
@Suite struct AlignedFromHandlerTests {
    static let psl = PublicSuffixList(text: "com\nnet\norg\nco.uk\n")

    /// `_dmarc.shop.example.net` makes shop.example.net an Organizational
    /// Domain of its own for the RFC 9989 tree walk (`psd=n`), where the
    /// public suffix list says example.net.
    static var zone: InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        dns.add("_dmarc.shop.example.net", .txt([Array("v=DMARC1; p=none; psd=n".utf8)]))
        return dns
    }

    /// AlignedFrom, with the DMARC handler as its peer when `dmarcConfig`
    /// is given (the DMARC handler is returned: AlignedFrom holds it weakly).
    static func handlers(dmarcConfig: String?) throws -> (aligned: AlignedFromHandler, dmarc: DMARCHandler?) {
        let aligned = try AlignedFromHandler(config: .object(JSONObject()))
        guard let dmarcConfig else {
            _ = ([aligned] as [any Handler]).attachingPeers()
            return (aligned, nil)
        }
        let dmarc = try DMARCHandler(config: ConfigNode(value: JSONParser.parse(dmarcConfig), origin: ConfigOrigin(file: "DMARC.json")),
                                     publicSuffixList: psl)
        _ = ([aligned, dmarc] as [any Handler]).attachingPeers()
        #expect(aligned.dmarc === dmarc)
        return (aligned, dmarc)
    }

    /// The entries of one message: MAIL FROM, the header fields, end of message.
    static func entries(_ mailFrom: String, _ headers: [(String, String)], dmarcConfig: String? = nil) throws -> [String] {
        let session = MailSession(resolver: zone)
        let handlers = try handlers(dmarcConfig: dmarcConfig)
        try handlers.aligned.envelopeFrom(session, address: mailFrom)
        for (name, value) in headers { try handlers.aligned.header(session, name: name, value: value) }
        try handlers.aligned.endOfMessage(session)
        return withExtendedLifetime(handlers.dmarc) { session.authResults.map(\.sortKey) }
    }

    @Test func theSameAddressPasses() throws {
        #expect(try Self.entries("<Alice@Example.COM>", [("From", "Alice <alice@example.com>")]) == [
            "x-aligned-from=pass (Address match)",
        ])
    }

    @Test func theEntryIsAResultAndAComment() throws {
        let session = MailSession(resolver: Self.zone)
        let handler = try AlignedFromHandler(config: .object(JSONObject()))
        try handler.envelopeFrom(session, address: "<bob@example.org>")
        try handler.header(session, name: "From", value: "carol@example.org")
        try handler.endOfMessage(session)
        #expect(session.authResults == [
            AuthResultsEntry(method: "x-aligned-from", result: "domain_pass", comment: AuthResultsComment("Domain match")),
        ])
    }

    @Test func anotherAddressAtTheSameDomainIsADomainPass() throws {
        #expect(try Self.entries("<bounces@example.org>", [("From", "news@EXAMPLE.org")]) == [
            "x-aligned-from=domain_pass (Domain match)",
        ])
    }

    @Test(arguments: [
        ("<bounce@mail.example.com>", "user@example.com"),
        ("<bounce@example.com>", "user@news.example.com"),
        ("<bounce@a.example.com>", "user@b.example.com"),
        ("<bounce@mail.example.co.uk>", "user@example.co.uk"),
    ])
    func sameOrganizationalDomainPassesWithDMARC(_ mailFrom: String, _ from: String) throws {
        #expect(try Self.entries(mailFrom, [("From", from)], dmarcConfig: "{}") == ["x-aligned-from=orgdomain_pass (Domain org match)"])
        #expect(try Self.entries(mailFrom, [("From", from)], dmarcConfig: #"{"discovery": "rfc7489"}"#)
            == ["x-aligned-from=orgdomain_pass (Domain org match)"])
    }

    @Test func withoutDMARCOrganizationalDomainsAreNotCompared() throws {
        #expect(try Self.entries("<bounce@mail.example.com>", [("From", "user@example.com")]) == ["x-aligned-from=fail"])
    }

    @Test func otherOrganizationsFailWithoutAComment() throws {
        #expect(try Self.entries("<bounce@example.net>", [("From", "user@example.com")], dmarcConfig: "{}") == ["x-aligned-from=fail"])
        // co.uk is a public suffix: example.co.uk and other.co.uk are two organizations.
        #expect(try Self.entries("<a@example.co.uk>", [("From", "b@other.co.uk")], dmarcConfig: "{}") == ["x-aligned-from=fail"])
    }

    @Test func theTreeWalkDecidesTheOrganizationalDomainByDefault() throws {
        // shop.example.net publishes psd=n: it is its own Organizational
        // Domain for the RFC 9989 walk; the public suffix list joins them.
        let pair = ("<bounce@mail.shop.example.net>", [("From", "user@example.net")])
        #expect(try Self.entries(pair.0, pair.1, dmarcConfig: "{}") == ["x-aligned-from=fail"])
        #expect(try Self.entries(pair.0, pair.1, dmarcConfig: #"{"discovery": "rfc7489"}"#)
            == ["x-aligned-from=orgdomain_pass (Domain org match)"])
    }

    @Test func noDomainsAnywhere() throws {
        #expect(try Self.entries("<>", [("Subject", "no From")]) == ["x-aligned-from=null (No domains found)"])
    }

    @Test(arguments: ["<>", "", "<postmaster>"])
    func noEnvelopeDomain(_ mailFrom: String) throws {
        #expect(try Self.entries(mailFrom, [("From", "user@example.com")]) == ["x-aligned-from=null_smtp (No envelope domain)"])
    }

    @Test(arguments: [
        [("Subject", "no From at all")],
        [("From", "")],
        // The strict parser (Email::Address::XS in the newest Perl) finds
        // no address in these, so there is no header domain.
        [("From", "a@b@example.com")],
        [("From", "Undisclosed recipients:;")],
        [("From", "user@example.com other@example.com")],
    ])
    func noHeaderDomain(_ headers: [(String, String)]) throws {
        #expect(try Self.entries("<user@example.com>", headers) == ["x-aligned-from=null_header (No header domain)"])
    }

    @Test func twoFromFieldsAreAnErrorEvenWithOneAddress() throws {
        #expect(try Self.entries("<user@example.com>", [("From", "user@example.com"), ("From", "user@example.com")]) == [
            "x-aligned-from=error (Multiple addresses in header)",
        ])
    }

    @Test func oneFromFieldWithTwoDomainsIsAnError() throws {
        #expect(try Self.entries("<user@example.com>", [("From", "user@example.com, user@example.net")]) == [
            "x-aligned-from=error (Multiple addresses in header)",
        ])
    }

    @Test func oneFromFieldWithTwoAddressesAtOneDomainComparesTheLast() throws {
        #expect(try Self.entries("<b@example.com>", [("From", "a@example.com, B@example.com")]) == ["x-aligned-from=pass (Address match)"])
        #expect(try Self.entries("<a@example.com>", [("From", "a@example.com, b@example.com")]) == ["x-aligned-from=domain_pass (Domain match)"])
    }

    @Test(arguments: ["<a@example.com> <b@example.com>", "a@example.com b@example.net"])
    func twoEnvelopeAddressesAreAnError(_ mailFrom: String) throws {
        #expect(try Self.entries(mailFrom, [("From", "a@example.com")]) == ["x-aligned-from=error (Multiple addresses in envelope)"])
    }

    @Test func theHeaderErrorComesFirst() throws {
        #expect(try Self.entries("<a@example.com> <b@example.com>", [("From", "a@example.com"), ("From", "b@example.com")]) == [
            "x-aligned-from=error (Multiple addresses in header)",
        ])
    }

    @Test func throughTheDispatcherWithAnyCaseOfFromAndADebugLine() throws {
        let handler = try AlignedFromHandler(config: .object(JSONObject()))
        let harness = Harness(handlers: [handler], settings: Harness.oneLine)
        var lines: [String] = []
        harness.session.logSink = { level, text in if level == .debug { lines.append(text) } }
        harness.openConnection()
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "i", value: "4QX1Z2")]))
        let replies = harness.sendMessage(from: "<alice@example.org>", headers: [("FROM", "Alice <alice@example.org>"), ("Subject", "hi")])
        #expect(authResultsEntries(replies) == ["x-aligned-from=pass (Address match)"])
        #expect(lines == ["4QX1Z2: AlignedFrom: pass"])
    }
}
