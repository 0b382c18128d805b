import DMARCReports
import MailAuth
import Testing

@Suite struct MailExchangerRouteTests {
    @Test func exchangersAreOrderedByPreferenceKeepingTiesInTheGivenOrder() {
        var zone = InMemoryDNSResolver()
        zone.add("example.net", .mx(preference: 20, exchange: "backup.example.net"))
        zone.add("example.net", .mx(preference: 10, exchange: "MX2.example.net."))
        zone.add("example.net", .mx(preference: 10, exchange: "mx1.example.net"))
        zone.add("example.net", .mx(preference: 5, exchange: "first.example.net"))
        zone.add("example.net", .mx(preference: 30, exchange: "mx1.example.net"))
        let route = MailExchangerRoute.find(for: "Example.NET.", resolver: zone)
        #expect(route.hostNames == ["first.example.net", "mx2.example.net", "mx1.example.net", "backup.example.net"])
        #expect(route == .hosts([
            .init(name: "first.example.net", preference: 5), .init(name: "mx2.example.net", preference: 10),
            .init(name: "mx1.example.net", preference: 10), .init(name: "backup.example.net", preference: 20),
        ]))
    }

    @Test func withoutMXTheDomainItselfIsTheImplicitExchanger() {
        var zone = InMemoryDNSResolver()
        zone.add("example.org", .aaaa("2001:db8::25"))
        #expect(MailExchangerRoute.find(for: "example.org", resolver: zone) == .hosts([.init(name: "example.org", preference: nil)]))
        var v4 = InMemoryDNSResolver()
        v4.add("example.org", .a("192.0.2.25"))
        #expect(MailExchangerRoute.find(for: "example.org", resolver: v4).hostNames == ["example.org"])
    }

    @Test func noMXAndNoAddressIsUnroutable() {
        var zone = InMemoryDNSResolver()
        zone.add("example.org", .txt("v=spf1 -all"))
        guard case .unroutable(let reason, let temporary) = MailExchangerRoute.find(for: "example.org", resolver: zone) else {
            Issue.record("expected no route")
            return
        }
        #expect(reason.contains("no MX record and no A or AAAA record"))
        #expect(!temporary)
    }

    @Test func aNullMXMeansNoMail() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .mx(preference: 0, exchange: "."))
        zone.add("example.com", .a("192.0.2.1"))
        guard case .unroutable(let reason, let temporary) = MailExchangerRoute.find(for: "example.com", resolver: zone) else {
            Issue.record("expected no route")
            return
        }
        #expect(reason.contains("null MX"))
        #expect(!temporary)
    }

    @Test func nxdomainIsPermanentAndAFailedLookupTemporary() {
        var zone = InMemoryDNSResolver()
        zone.add("exists.example", .a("192.0.2.1"))
        #expect(MailExchangerRoute.find(for: "missing.example", resolver: zone) == .unroutable(reason: "missing.example does not exist (NXDOMAIN)", temporary: false))
        zone.markServfail("broken.example", type: .mx)
        guard case .unroutable(let reason, true) = MailExchangerRoute.find(for: "broken.example", resolver: zone) else {
            Issue.record("expected a temporary failure")
            return
        }
        #expect(reason.contains("SERVFAIL"))
        var noAddress = InMemoryDNSResolver()
        noAddress.addEmptyNode("slow.example")
        noAddress.markTimeout("slow.example", type: .aaaa)
        guard case .unroutable(_, true) = MailExchangerRoute.find(for: "slow.example", resolver: noAddress) else {
            Issue.record("a timeout on the implicit MX's address must be temporary")
            return
        }
    }

    @Test func anEmptyNameIsNotADomain() {
        guard case .unroutable(_, false) = MailExchangerRoute.find(for: "", resolver: InMemoryDNSResolver()) else {
            Issue.record("expected a permanent refusal")
            return
        }
    }
}
