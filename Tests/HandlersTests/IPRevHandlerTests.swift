@testable import Handlers
import JSON
import MailAuth
import Milter
import TestSupport
import Testing

/// IPRev: forward-confirmed reverse DNS at connect, one connection-level
/// `iprev=` entry with `smtp.remote-ip` and a comment: the verified names,
/// or Perl's lookup error notes. temperror for SERVFAIL and timeouts.
@Suite struct IPRevHandlerTests {
    static var zone: InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        dns.add("1.2.0.192.in-addr.arpa", .ptr("mail.example.com"))
        dns.add("mail.example.com", .a("192.0.2.1"))
        dns.addEmptyNode("3.2.0.192.in-addr.arpa")
        dns.markTimeout("4.2.0.192.in-addr.arpa")
        dns.markServfail("5.2.0.192.in-addr.arpa")
        dns.add("6.2.0.192.in-addr.arpa", .ptr("other.example.com"))
        dns.add("other.example.com", .a("192.0.2.99"))
        dns.add("7.2.0.192.in-addr.arpa", .ptr("gone.example.com"))
        dns.add("8.2.0.192.in-addr.arpa", .ptr("slow.example.com"))
        dns.markTimeout("slow.example.com")
        dns.add("9.2.0.192.in-addr.arpa", [.ptr("b.example.com"), .ptr("a.example.com"), .ptr("a.example.com")])
        dns.add("a.example.com", .a("192.0.2.9"))
        dns.add("b.example.com", [.a("192.0.2.200"), .a("192.0.2.9")])
        // Perl sorts "mx.example-b." before "mx.example." (the final dot).
        dns.add("10.2.0.192.in-addr.arpa", [.ptr("mx.example"), .ptr("mx.example-b")])
        dns.add("mx.example", .a("192.0.2.10"))
        dns.add("mx.example-b", .a("192.0.2.10"))
        // A name with only IPv6 addresses for an IPv4 client.
        dns.add("14.2.0.192.in-addr.arpa", .ptr("v6only.example.com"))
        dns.add("v6only.example.com", .aaaa("2001:db8::14"))
        // Names that exist without addresses (NOERROR, no records).
        dns.add("15.2.0.192.in-addr.arpa", .ptr("empty.example.com"))
        dns.addEmptyNode("empty.example.com")
        // CNAMEs: in the PTR (RFC 2317) and in the forward lookup.
        dns.add("13.2.0.192.in-addr.arpa", .cname("13.0-25.2.0.192.in-addr.arpa"))
        dns.add("13.0-25.2.0.192.in-addr.arpa", .ptr("alias.example.com"))
        dns.add("alias.example.com", .cname("real.example.com"))
        dns.add("real.example.com", .a("192.0.2.13"))
        // Case is kept as DNS gives it.
        dns.add("16.2.0.192.in-addr.arpa", .ptr("Mail.Example.COM"))
        dns.add("Mail.Example.COM", .a("192.0.2.16"))
        // IPv6.
        dns.add(ClientAddress("2001:db8::25")!.reverseName, .ptr("mail6.example.com"))
        dns.add("mail6.example.com", .aaaa("2001:db8::25"))
        dns.add(ClientAddress("2001:db8::26")!.reverseName, .ptr("gone.example.com"))
        dns.add(ClientAddress("2001:db8::27")!.reverseName, .ptr("v4only.example.com"))
        dns.add("v4only.example.com", .a("192.0.2.27"))
        return dns
    }

    typealias CountingResolver = RecordingResolver

    static func handler() throws -> IPRevHandler { try IPRevHandler(config: JSONParser.parse(IPRevHandler.defaultConfigJSON)) }

    /// The connection-level entries for one client, and what PTR will read.
    static func check(_ ip: String, zone: any DNSResolver = zone) throws -> (entries: [String], verified: String?) {
        let session = MailSession(resolver: zone)
        session.remoteIP = ip
        try handler().connect(session)
        #expect(session.authResults.isEmpty)
        return (session.connectionAuthResults.map(\.sortKey), session.verifiedPTR)
    }

    @Test func defaultConfigAndDependencies() throws {
        _ = try Self.handler()
        #expect(IPRevHandler.configKeys.isEmpty)
        #expect(IPRevHandler.dependencyNames == ["LocalIP", "TrustedIP"])
    }

    @Test func forwardConfirmedNameIsAPass() throws {
        let result = try Self.check("192.0.2.1")
        #expect(result.entries == ["iprev=pass smtp.remote-ip=192.0.2.1 (mail.example.com)"])
        #expect(result.verified == "mail.example.com")
    }

    @Test func entryShape() throws {
        let session = MailSession(resolver: Self.zone)
        session.remoteIP = "192.0.2.1"
        try Self.handler().connect(session)
        #expect(session.connectionAuthResults == [AuthResultsEntry(method: "iprev", result: "pass", parts: [
            .property(AuthResultsProperty(type: "smtp", name: "remote-ip", value: "192.0.2.1")),
            .comment(AuthResultsComment("mail.example.com")),
        ])])
    }

    @Test(arguments: [
        ("192.0.2.2", "iprev=fail smtp.remote-ip=192.0.2.2 (Error NXDOMAIN looking up 192.0.2.2 PTR,NOT FOUND)"),
        ("192.0.2.3", "iprev=fail smtp.remote-ip=192.0.2.3 (Error NOERROR looking up 192.0.2.3 PTR,NOT FOUND)"),
        ("192.0.2.4", "iprev=temperror smtp.remote-ip=192.0.2.4 (Error query timed out looking up 192.0.2.4 PTR,NOT FOUND)"),
        ("192.0.2.5", "iprev=temperror smtp.remote-ip=192.0.2.5 (Error SERVFAIL looking up 192.0.2.5 PTR,NOT FOUND)"),
    ])
    func missingOrFailedPTR(ip: String, entry: String) throws {
        let result = try Self.check(ip)
        #expect(result.entries == [entry])
        #expect(result.verified == "")
    }

    /// Names that resolve elsewhere: Perl with Debian's Net::DNS notes the
    /// PTR lookup, whose `errorstring` is the reply's RCODE even when it
    /// found names (issue 11 item 6: never an empty comment).
    @Test func namesThatPointElsewhereFail() throws {
        #expect(try Self.check("192.0.2.6").entries == ["iprev=fail smtp.remote-ip=192.0.2.6 (Error NOERROR looking up 192.0.2.6 PTR)"])
        #expect(try Self.check("192.0.2.14").entries == ["iprev=fail smtp.remote-ip=192.0.2.14 (Error NOERROR looking up 192.0.2.14 PTR)"])
    }

    /// Perl wraps the forward errors twice and names them with the final
    /// dot, after the PTR lookup's note.
    @Test func forwardLookupErrorsInPerlsWords() throws {
        #expect(try Self.check("192.0.2.7").entries == [
            "iprev=fail smtp.remote-ip=192.0.2.7 (Error NOERROR looking up 192.0.2.7 PTR,"
                + "Error Error NXDOMAIN looking up gone.example.com. A looking up gone.example.com. A,"
                + "Error Error NXDOMAIN looking up gone.example.com. AAAA looking up gone.example.com. AAAA)",
        ])
        #expect(try Self.check("192.0.2.15").entries == [
            "iprev=fail smtp.remote-ip=192.0.2.15 (Error NOERROR looking up 192.0.2.15 PTR,"
                + "Error Error NOERROR looking up empty.example.com. A looking up empty.example.com. A,"
                + "Error Error NOERROR looking up empty.example.com. AAAA looking up empty.example.com. AAAA)",
        ])
    }

    /// A forward answer holding only a CNAME whose target has no address
    /// is a reply too: NOERROR, as Net::DNS says after it.
    @Test func forwardAnswerWithoutAddressIsNOERROR() throws {
        var dns = Self.zone
        dns.add("18.2.0.192.in-addr.arpa", .ptr("alias.empty.example"))
        dns.add("alias.empty.example", .cname("empty.example.com"))
        #expect(try Self.check("192.0.2.18", zone: dns).entries == [
            "iprev=fail smtp.remote-ip=192.0.2.18 (Error NOERROR looking up 192.0.2.18 PTR,"
                + "Error Error NOERROR looking up alias.empty.example. A looking up alias.empty.example. A,"
                + "Error Error NOERROR looking up alias.empty.example. AAAA looking up alias.empty.example. AAAA)",
        ])
    }

    @Test func forwardTimeoutIsATemperror() throws {
        let result = try Self.check("192.0.2.8")
        #expect(result.entries == [
            "iprev=temperror smtp.remote-ip=192.0.2.8 (Error NOERROR looking up 192.0.2.8 PTR,"
                + "Error Error query timed out looking up slow.example.com. A looking up slow.example.com. A,"
                + "Error Error query timed out looking up slow.example.com. AAAA looking up slow.example.com. AAAA)",
        ])
        #expect(result.verified == "")
    }

    @Test func severalNamesAreListedSortedOnce() throws {
        let result = try Self.check("192.0.2.9")
        #expect(result.entries == ["iprev=pass smtp.remote-ip=192.0.2.9 (a.example.com,b.example.com)"])
        #expect(result.verified == "a.example.com,b.example.com")
    }

    @Test func namesSortAsPerlSortsThemWithTheFinalDot() throws {
        #expect(try Self.check("192.0.2.10").entries == ["iprev=pass smtp.remote-ip=192.0.2.10 (mx.example-b,mx.example)"])
    }

    @Test func cnamesAreFollowed() throws {
        #expect(try Self.check("192.0.2.13").entries == ["iprev=pass smtp.remote-ip=192.0.2.13 (alias.example.com)"])
    }

    @Test func caseOfNamesIsKept() throws {
        #expect(try Self.check("192.0.2.16").verified == "Mail.Example.COM")
    }

    /// IPv6 clients are written as Net::IP's `short()` writes them (Perl
    /// 3.20250611, "Use canonical string representation for IPv6
    /// addresses"), and their names are tried AAAA first, A errors listed
    /// first.
    @Test func ipv6Clients() throws {
        #expect(try Self.check("2001:db8::25").entries == [
            "iprev=pass smtp.remote-ip=2001:db8::25 (mail6.example.com)",
        ])
        #expect(try Self.check("2001:DB8:0:0:0:0:0:26").entries == [
            "iprev=fail smtp.remote-ip=2001:db8::26 ("
                + "Error NOERROR looking up 2001:db8::26 PTR,"
                + "Error Error NXDOMAIN looking up gone.example.com. A looking up gone.example.com. A,"
                + "Error Error NXDOMAIN looking up gone.example.com. AAAA looking up gone.example.com. AAAA)",
        ])
        #expect(try Self.check("2001:db8::27").entries == [
            "iprev=fail smtp.remote-ip=2001:db8::27 (Error NOERROR looking up 2001:db8::27 PTR)",
        ])
        #expect(try Self.check("2001:db8::28").entries == [
            "iprev=fail smtp.remote-ip=2001:db8::28 (Error NXDOMAIN looking up 2001:db8::28 PTR,NOT FOUND)",
        ])
    }

    @Test func reverseNames() {
        #expect(ClientAddress("192.0.2.1")?.reverseName == "1.2.0.192.in-addr.arpa")
        #expect(ClientAddress("2001:db8::567:89ab")?.reverseName
            == "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")
    }

    /// Net::IP's `short()`, the text Perl writes for the client since
    /// 3.20250611: lower-case, no leading zeros, the longest run of two or
    /// more zero groups as `::` (a run at the start loses to a middle run
    /// of as many groups, because Net::IP compares the runs' text length).
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:DB8:0:0:0:0:0:25", "2001:db8::25"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("2001:0:0:1:1:0:0:1", "2001::1:1:0:0:1"),
        ("0:0:1:0:0:1:1:1", "0:0:1::1:1:1"),
        ("0:0:0:1:0:0:1:1", "::1:0:0:1:1"),
        ("1:0:0:1:1:1:0:0", "1::1:1:1:0:0"),
        ("1:1:1:1:1:0:0:0", "1:1:1:1:1::"),
        ("::", "::"),
        ("::1", "::1"),
        ("fe80::", "fe80::"),
        ("::ffff:192.0.2.1", "::ffff:c000:201"),
        ("IPv6:2001:db8::a:B", "2001:db8::a:b"),
    ])
    func perlTextIsNetIPShort(input: String, expected: String) {
        #expect(ClientAddress(input)?.perlText == expected)
    }

    /// All names of one family go out in one batch, the other family's
    /// (only for names without an address) in a second.
    @Test func lookupsGoOutInBatches() throws {
        let resolver = CountingResolver(Self.zone)
        #expect(try Self.check("192.0.2.9", zone: resolver).entries.count == 1)
        #expect(resolver.batches == [
            [DNSQuestion(name: "9.2.0.192.in-addr.arpa", type: .ptr)],
            [DNSQuestion(name: "a.example.com", type: .a), DNSQuestion(name: "b.example.com", type: .a)],
        ])
        let failing = CountingResolver(Self.zone)
        _ = try Self.check("192.0.2.7", zone: failing)
        #expect(failing.batches.map { $0.map(\.type) } == [[.ptr], [.a], [.aaaa]])
    }

    /// Perl's budget of 10 lookups: PTR, then per name A and (when A gave
    /// nothing) AAAA; the 9th forward lookup is refused.
    @Test func lookupLimitAsPerl() throws {
        var dns = Self.zone
        let names = (1...12).map { String(format2: $0) + ".many.example" }
        dns.add("11.2.0.192.in-addr.arpa", names.map { DNSRecord.ptr($0) })
        let resolver = CountingResolver(dns)
        let session = MailSession(resolver: resolver)
        session.remoteIP = "192.0.2.11"
        try Self.handler().connect(session)
        var notes = ["Error NOERROR looking up 192.0.2.11 PTR"]
        for name in names.prefix(4) {
            notes.append("Error Error NXDOMAIN looking up \(name). A looking up \(name). A")
            notes.append("Error Error NXDOMAIN looking up \(name). AAAA looking up \(name). AAAA")
        }
        for name in names.dropFirst(4) {
            notes.append("Error Lookup limit reached looking up \(name). A")
            notes.append("Error Lookup limit reached looking up \(name). AAAA")
        }
        // (An entry this long is folded by the header writer, as by Perl's.)
        #expect(session.connectionAuthResults == [AuthResultsEntry(method: "iprev", result: "fail", parts: [
            .property(AuthResultsProperty(type: "smtp", name: "remote-ip", value: "192.0.2.11")),
            .comment(AuthResultsComment(notes.joined(separator: ","))),
        ])])
        // Only the AAAA queries Perl would have sent go out.
        #expect(resolver.batches.count == 3)
        #expect(resolver.batches[2].count == 4)
    }

    /// A match beyond the budget is never seen; the refused lookups are
    /// noted (Net::DNS's `errorstring` still holds the last reply's NOERROR).
    @Test func matchBeyondTheLimitIsNotSeen() throws {
        var dns = Self.zone
        let names = (1...9).map { String(format2: $0) + ".nine.example" }
        dns.add("12.2.0.192.in-addr.arpa", names.map { DNSRecord.ptr($0) })
        for name in names.dropLast() { dns.add(name, .a("192.0.2.99")) }
        dns.add(names[8], .a("192.0.2.12"))
        #expect(try Self.check("192.0.2.12", zone: dns).entries == [
            "iprev=fail smtp.remote-ip=192.0.2.12 (Error NOERROR looking up 192.0.2.12 PTR,"
                + "Error Lookup limit reached looking up n09.nine.example. A,Error Lookup limit reached looking up n09.nine.example. AAAA)",
        ])
    }

    @Test func localAndTrustedClientsAreSkipped() throws {
        for flag in [\MailSession.isLocalIP, \MailSession.isTrustedIP] {
            let resolver = CountingResolver(Self.zone)
            let session = MailSession(resolver: resolver)
            session.remoteIP = "192.0.2.1"
            session[keyPath: flag] = true
            try Self.handler().connect(session)
            #expect(session.connectionAuthResults.isEmpty)
            #expect(session.verifiedPTR == nil)
            #expect(resolver.batches.isEmpty)
        }
    }

    @Test(arguments: ["", "garbage", "192.0.2", "[UNAVAILABLE]", "192.0.2.1\u{0}", "1:2:3:4:5:6:7:8:9"])
    func unusableAddressesAreSkipped(ip: String) throws {
        let resolver = CountingResolver(Self.zone)
        let result = try Self.check(ip, zone: resolver)
        #expect(result.entries.isEmpty)
        #expect(result.verified == nil)
        #expect(resolver.batches.isEmpty)
    }

    /// Odd data in DNS never breaks the header.
    @Test func oddPTRNamesAreCleaned() throws {
        var dns = InMemoryDNSResolver()
        dns.add("17.2.0.192.in-addr.arpa", .ptr("bad name(x"))
        dns.add("bad name(x", .a("192.0.2.17"))
        #expect(try Self.check("192.0.2.17", zone: dns).entries == ["iprev=pass smtp.remote-ip=192.0.2.17 (bad name x)"])
    }

    @Test func closeForgetsTheVerifiedNames() throws {
        let session = MailSession(resolver: Self.zone)
        session.remoteIP = "192.0.2.1"
        let handler = try Self.handler()
        try handler.connect(session)
        #expect(session.verifiedPTR == "mail.example.com")
        handler.close(session)
        #expect(session.verifiedPTR == nil)
    }

    /// Through the dispatcher, after LocalIP and TrustedIP: the entry is in
    /// every message of the connection.
    @Test func everyMessageOfTheConnectionCarriesTheEntry() throws {
        var dns = Self.zone
        dns.add("1.2.0.192.in-addr.arpa", .ptr("mail.example.org"))
        dns.add("mail.example.org", .a("192.0.2.1"))
        let harness = Harness(handlers: [try Self.handler()], resolver: dns)
        harness.openConnection()
        let header = MilterResponse.insertHeader(index: 1, name: "Authentication-Results",
                                                 value: "mx.example.net;\n    iprev=pass smtp.remote-ip=192.0.2.1 (mail.example.com,mail.example.org)")
        #expect(harness.sendMessage() == [header, .continue])
        #expect(harness.sendMessage() == [header, .continue])
    }
}

extension String {
    /// Two digits, so generated names sort in numeric order.
    init(format2 number: Int) { self = number < 10 ? "n0\(number)" : "n\(number)" }
}
