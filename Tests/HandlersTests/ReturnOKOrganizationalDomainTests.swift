import Config
import Handlers
import JSON
import MailAuth
import TestSupport
import Testing

/// ReturnOK with the DMARC handler loaded (issue 11 item 4): every entry
/// names the Organizational Domain (`policy.org_domain` when it differs,
/// `policy.is_org`), and a domain with neither MX nor A/AAAA that is not
/// its own Organizational Domain is checked again there. The expected
/// entries are the newest Perl release's `_check_domain`, byte for byte.
@Suite struct ReturnOKOrganizationalDomainTests {
    static let psl = PublicSuffixList(text: "com\nnet\norg\nexample\n")
    /// The public suffix list form of discovery (RFC 7489 section 3.2).
    static let rfc7489 = #"{"discovery": "rfc7489"}"#

    static var zone: InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        dns.add("example.com", .mx(preference: 10, exchange: "mx1.example.com"))
        dns.add("example.com", .mx(preference: 20, exchange: "mx2.example.com"))
        dns.add("a-only.example.com", .a("192.0.2.10"))
        dns.add("example.net", .mx(preference: 10, exchange: "mx.example.net"))
        dns.add("web.example", .a("192.0.2.20"))
        dns.add("v6.example", .aaaa("2001:db8::20"))
        dns.addEmptyNode("empty.example.org")
        dns.markServfail("broken.example")
        // RFC 9989 tree walk: lists.example.net says it is an Organizational Domain.
        dns.add("_dmarc.lists.example.net", .txt([Array("v=DMARC1; p=none; psd=n".utf8)]))
        dns.add("lists.example.net", .mx(preference: 5, exchange: "mx.lists.example.net"))
        return dns
    }

    /// ReturnOK and DMARC, peers of each other (the DMARC handler is
    /// returned too: ReturnOK holds it weakly, as the handler list owns it).
    static func handlers(dmarcConfig: String = "{}") throws -> (returnOK: ReturnOKHandler, dmarc: DMARCHandler) {
        let dmarc = try DMARCHandler(config: ConfigNode(value: JSONParser.parse(dmarcConfig), origin: ConfigOrigin(file: "DMARC.json")),
                                     publicSuffixList: psl)
        let returnOK = try ReturnOKHandler(config: .object(JSONObject()))
        _ = ([dmarc, returnOK] as [any Handler]).attachingPeers()
        #expect(returnOK.dmarc === dmarc)
        return (returnOK, dmarc)
    }

    static func entries(smtp address: String, dmarcConfig: String = "{}", zone: any DNSResolver = zone) throws -> [String] {
        let session = MailSession(resolver: zone)
        let handlers = try handlers(dmarcConfig: dmarcConfig)
        try handlers.returnOK.envelopeFrom(session, address: address)
        return withExtendedLifetime(handlers.dmarc) { session.authResults.map(\.sortKey) }
    }

    @Test func organizationalDomainWithMXIsAPass() throws {
        #expect(try Self.entries(smtp: "<user@example.com>") == [
            "x-return-mx=pass smtp.domain=example.com policy.is_org=yes (MX Records found: mx1.example.com,mx2.example.com)",
        ])
    }

    @Test func subdomainWithAnAddressNamesItsOrganizationalDomain() throws {
        #expect(try Self.entries(smtp: "<user@a-only.example.com>") == [
            "x-return-mx=warn smtp.domain=a-only.example.com policy.org_domain=example.com policy.is_org=no"
                + " policy.mx_error=NOERROR policy.aaaa_error=NOERROR (A Records found: 192.0.2.10)",
        ])
    }

    @Test func subdomainWithoutRecordsFallsBackToTheOrganizationalDomainsMX() throws {
        #expect(try Self.entries(smtp: "<bounce@sub.example.net>") == [
            "x-return-mx=warn smtp.domain=sub.example.net policy.org_domain=example.net policy.is_org=no"
                + " policy.mx_error=NXDOMAIN policy.a_error=NXDOMAIN policy.aaaa_error=NXDOMAIN"
                + " (Org Domain MX Records found: mx.example.net)",
        ])
    }

    @Test func organizationalDomainAddressesAreTheLastResort() throws {
        #expect(try Self.entries(smtp: "<a@mail.web.example>") == [
            "x-return-mx=warn smtp.domain=mail.web.example policy.org_domain=web.example policy.is_org=no"
                + " policy.mx_error=NXDOMAIN policy.a_error=NXDOMAIN policy.aaaa_error=NXDOMAIN"
                + " policy.org_mx_error=NOERROR policy.org_aaaa_error=NOERROR (Org Domain A Records found: 192.0.2.20)",
        ])
        #expect(try Self.entries(smtp: "<a@mail.v6.example>") == [
            "x-return-mx=warn smtp.domain=mail.v6.example policy.org_domain=v6.example policy.is_org=no"
                + " policy.mx_error=NXDOMAIN policy.a_error=NXDOMAIN policy.aaaa_error=NXDOMAIN"
                + " policy.org_mx_error=NOERROR policy.org_a_error=NOERROR (Org Domain AAAA Records found: 2001:db8::20)",
        ])
    }

    @Test func failListsEveryLookupError() throws {
        #expect(try Self.entries(smtp: "<a@gone.nothing.example>") == [
            "x-return-mx=fail smtp.domain=gone.nothing.example policy.org_domain=nothing.example policy.is_org=no"
                + " policy.mx_error=NXDOMAIN policy.a_error=NXDOMAIN policy.aaaa_error=NXDOMAIN"
                + " policy.org_mx_error=NXDOMAIN policy.org_a_error=NXDOMAIN policy.org_aaaa_error=NXDOMAIN",
        ])
        // example.org exists (an empty non-terminal above empty.example.org).
        #expect(try Self.entries(smtp: "<a@empty.example.org>") == [
            "x-return-mx=fail smtp.domain=empty.example.org policy.org_domain=example.org policy.is_org=no"
                + " policy.mx_error=NOERROR policy.a_error=NOERROR policy.aaaa_error=NOERROR"
                + " policy.org_mx_error=NOERROR policy.org_a_error=NOERROR policy.org_aaaa_error=NOERROR",
        ])
        #expect(try Self.entries(smtp: "<a@broken.example>") == [
            "x-return-mx=fail smtp.domain=broken.example policy.is_org=yes"
                + " policy.mx_error=SERVFAIL policy.a_error=SERVFAIL policy.aaaa_error=SERVFAIL",
        ])
    }

    /// The Organizational Domain is asked for only when the domain itself
    /// cannot receive: with the public suffix list (no DNS for the
    /// Organizational Domain itself) a domain with an address costs one
    /// batch.
    @Test func organizationalDomainIsAskedOnlyWhenNeeded() throws {
        let passing = RecordingResolver(Self.zone)
        _ = try Self.entries(smtp: "<user@a-only.example.com>", dmarcConfig: Self.rfc7489, zone: passing)
        #expect(passing.batches.count == 1)
        let falling = RecordingResolver(Self.zone)
        _ = try Self.entries(smtp: "<bounce@sub.example.net>", dmarcConfig: Self.rfc7489, zone: falling)
        #expect(falling.batches.map { $0.map(\.name) } == [
            ["sub.example.net", "sub.example.net", "sub.example.net"],
            ["example.net", "example.net", "example.net"],
        ])
    }

    /// By default (`discovery` RFC 9989) the Organizational Domain comes
    /// from the DNS tree walk, as Mail::DMARC's newest releases find it.
    @Test func treeWalkOrganizationalDomain() throws {
        #expect(try Self.entries(smtp: "<a@x.lists.example.net>") == [
            "x-return-mx=warn smtp.domain=x.lists.example.net policy.org_domain=lists.example.net policy.is_org=no"
                + " policy.mx_error=NXDOMAIN policy.a_error=NXDOMAIN policy.aaaa_error=NXDOMAIN"
                + " (Org Domain MX Records found: mx.lists.example.net)",
        ])
        // The public suffix list says example.net.
        #expect(try Self.entries(smtp: "<a@x.lists.example.net>", dmarcConfig: Self.rfc7489).first?
            .contains("policy.org_domain=example.net ") == true)
    }

    @Test func headerEntriesToo() throws {
        let session = MailSession(resolver: Self.zone)
        let handlers = try Self.handlers()
        let handler = handlers.returnOK
        try handler.envelopeFrom(session, address: "<>")
        try handler.header(session, name: "From", value: "Sub <news@sub.example.net>, Main <x@example.com>")
        withExtendedLifetime(handlers.dmarc) {}
        #expect(session.authResults.map(\.sortKey) == [
            "x-return-mx=warn header.domain=sub.example.net policy.org_domain=example.net policy.is_org=no"
                + " policy.mx_error=NXDOMAIN policy.a_error=NXDOMAIN policy.aaaa_error=NXDOMAIN"
                + " (Org Domain MX Records found: mx.example.net)",
            "x-return-mx=pass header.domain=example.com policy.is_org=yes (MX Records found: mx1.example.com,mx2.example.com)",
        ])
    }

    /// A From field naming many domains costs a bounded number of checks:
    /// at most 50, each at most two batches with the public suffix list and
    /// three with the tree walk (its `_dmarc` questions).
    @Test(arguments: [(rfc7489, 100), ("{}", 150)])
    func checksPerMessageAreBounded(dmarcConfig: String, batches: Int) throws {
        let resolver = RecordingResolver(Self.zone)
        let session = MailSession(resolver: resolver)
        let handlers = try Self.handlers(dmarcConfig: dmarcConfig)
        let handler = handlers.returnOK
        try handler.envelopeFrom(session, address: "<user@example.com>")
        let many = (1...500).map { "u@d\($0).example.com" }.joined(separator: ", ")
        try handler.header(session, name: "From", value: many)
        withExtendedLifetime(handlers.dmarc) {}
        #expect(session.authResults.count == 50)
        #expect(resolver.batches.count <= batches)
    }
}
