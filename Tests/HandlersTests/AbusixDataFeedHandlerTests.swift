@testable import Handlers
import MailAuth
import Milter
import Config
import JSON
import Testing

/// AbusixDataFeed (issue 13): one record per transaction, complete at the
/// end of the headers, with Perl's fields.
@Suite struct AbusixDataFeedHandlerTests {
    final class Records { var all: [AbusixFeedRecord] = [] }

    static func harness(extra: [any Handler] = [], resolver: InMemoryDNSResolver = InMemoryDNSResolver()) throws -> (Harness, Records) {
        let feed = try AbusixDataFeedHandler(config: ["feed_name": "f", "feed_dest": "192.0.2.9:1234", "feed_key": "k"], clock: { 1_700_000_000 })
        let handlers = ([feed] + extra).attachingPeers()
        let harness = Harness(handlers: handlers, resolver: resolver)
        let records = Records()
        harness.session.abusixRecordSink = { records.all.append($0) }
        return (harness, records)
    }

    @Test func aTransactionIsRecordedAsPerlRecordsIt() throws {
        var dns = InMemoryDNSResolver()
        dns.add("1.2.0.192.in-addr.arpa", .ptr("mail.example.org"))
        dns.add("1.2.0.192.in-addr.arpa", .ptr("alias.example.org"))
        let (harness, records) = try Self.harness(resolver: dns)
        harness.openConnection(helo: "helo.example.org")
        harness.sendMessage(from: "<Someone@Example.COM>")
        #expect(records.all == [AbusixFeedRecord(time: 1_700_000_000, ipAddress: "192.0.2.1",
                                                 reverseDNS: "mail.example.org.,alias.example.org.", helo: "helo.example.org",
                                                 usedESMTP: nil, usedTLS: nil, usedAuth: nil, mailFromDomain: "example.com")])
        // A second message on the connection: its own record, the same HELO.
        harness.sendMessage(from: "<>")
        #expect(records.all.count == 2)
        #expect(records.all[1].mailFromDomain == "localhost.localdomain")
        #expect(records.all[1].helo == "helo.example.org")
    }

    /// TLS and Auth loaded: Y/N instead of empty; IPv6 in Net::IP's short form.
    @Test func tlsAndAuthFlagsWhenTheirHandlersAreLoaded() throws {
        let (harness, records) = try Self.harness(extra: [try TLSHandler(config: .object(JSONObject())), try AuthHandler(config: .object(JSONObject()))])
        harness.openConnection(address: "2001:db8::25")
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "{tls_version}", value: "TLSv1.3"),
                                                                          MilterMacro(name: "{auth_authen}", value: "user")]))
        harness.sendMessage()
        #expect(records.all.first?.usedTLS == true)
        #expect(records.all.first?.usedAuth == true)
        #expect(records.all.first?.ipAddress == "2001:db8::25")
        #expect(records.all.first?.reverseDNS == "")
    }

    /// Rejected before DATA: Perl queues at the end of the headers, so
    /// nothing is sent.
    @Test func noRecordWithoutHeaders() throws {
        let (harness, records) = try Self.harness()
        harness.openConnection()
        harness.send(.mailFrom(["<a@example.com>"]))
        harness.send(.abort)
        #expect(records.all.isEmpty)
    }

    @Test func settingsAsPerlsConfigurationGivesThem() throws {
        let settings = try AbusixFeedSettings(config: ConfigNode(value: ["feed_name": "n", "feed_key": "s", "listening_port": 587,
                                                                         "feed_dest": "192.0.2.1, [2001:db8::1]:99,collector.example:0,bad:port"],
                                                                 origin: ConfigOrigin(file: "t")))
        #expect(settings.listeningPort == "587")
        #expect(settings.destinations == [AbusixFeedDestination(host: "192.0.2.1", port: 12211),
                                          AbusixFeedDestination(host: "2001:db8::1", port: 99),
                                          AbusixFeedDestination(host: "collector.example", port: 12211)])
        #expect(settings.destinationProblems == ["feed_dest entry 'bad:port': port 'port' is not a number from 1 to 65535"])
        // Perl's own default (server:port) starts; the spool logs it.
        let defaults = try AbusixFeedSettings(config: ConfigNode(value: .object(JSONObject()), origin: ConfigOrigin(file: "t")))
        #expect(defaults.destinations.isEmpty && defaults.destinationProblems.count == 1)
        #expect(HandlerRegistry.installedNames.contains("AbusixDataFeed"))
    }
}
