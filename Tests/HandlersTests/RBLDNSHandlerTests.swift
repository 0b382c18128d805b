import Config
import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// RBLDNS (issue 13): the client address in DNS lists at connect, Perl's
/// `RBLDNS.pm` states, connection-level `<name>=<state>` entries and
/// `add_header` headers (incoming copies removed through Sanitize).
@Suite struct RBLDNSHandlerTests {
    /// What the lists say: list1 names 192.0.2.1 (127.0.0.2), 192.0.2.2
    /// (127.0.0.9, no state of its own), 2001:db8::25 and ::ffff:192.0.2.1;
    /// list2 names 192.0.2.1 twice (127.0.0.3 first); 192.0.2.3 is in
    /// neither; list3 times out.
    static let listed: KeyValuePairs<String, String> = [
        "1.2.0.192.list1.example.com": "127.0.0.2",
        "2.2.0.192.list1.example.com": "127.0.0.9",
        "1.2.0.192.list2.example.com": "127.0.0.3",
        "5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.list1.example.com": "127.0.0.3",
        "1.0.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.list1.example.com": "127.0.0.2",
    ]

    static var zone: InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        for (name, address) in listed { dns.add(name, .a(address)) }
        dns.add("1.2.0.192.list2.example.com", .a("127.0.0.2"))
        dns.markTimeout("1.2.0.192.list3.example.com")
        return dns
    }

    /// Counts the questions and batches asked, passing them on to a zone.
    final class CountingResolver: DNSResolver {
        let zone: InMemoryDNSResolver
        private(set) var batches: [[DNSQuestion]] = []
        init(_ zone: InMemoryDNSResolver) { self.zone = zone }
        func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] {
            batches.append(questions)
            return zone.lookup(questions)
        }
    }

    static let twoLists = """
        {
          "list1": { "base_url": "list1.example.com", "default_state": "clean", "add_authresults": 1, "add_header": "X-List1",
                     "states": { "127.0.0.2": "foo", "127.0.0.3": "bar", "*": "baz" } },
          "list2": { "base_url": "list2.example.com", "default_state": "clean", "add_header": "X-List2",
                     "states": { "127.0.0.3": "bar" } }
        }
        """

    static func handler(_ config: String = twoLists) throws -> RBLDNSHandler {
        try RBLDNSHandler(config: ConfigNode(value: JSONParser.parse(config), origin: ConfigOrigin(file: "RBLDNS.json")))
    }

    /// The connection-level entries and the states of the headers for a
    /// client at `address`.
    static func connect(_ address: String, _ config: String = twoLists, resolver: any DNSResolver = zone) throws -> (entries: [String], lines: [String]) {
        let handler = try handler(config)
        let session = MailSession(resolver: resolver)
        var lines: [String] = []
        session.logSink = { _, text in lines.append(text) }
        session.remoteIP = address
        session.macros["i"] = "QID"
        try handler.connect(session)
        return (session.connectionAuthResults.map(\.sortKey), lines)
    }

    @Test func theFirstAddressPicksTheState() throws {
        let found = try Self.connect("192.0.2.1")
        // list2 is asked too (add_header), without an entry of its own.
        #expect(found.entries == ["list1=foo"])
        #expect(found.lines == ["QID: RBLDNS: list1:127.0.0.2:foo", "QID: RBLDNS: list2:127.0.0.3:bar"])
    }

    @Test func anUnknownAddressTakesTheStarStateElseUnknown() throws {
        let found = try Self.connect("192.0.2.2")
        #expect(found.entries == ["list1=baz"])
        let config = #"{"list1": {"base_url": "list1.example.com", "default_state": "clean", "add_authresults": 1, "states": {"127.0.0.2": "foo"}}}"#
        #expect(try Self.connect("192.0.2.2", config).entries == ["list1=unknown"])
    }

    @Test func notListedOrNoAnswerIsTheDefaultState() throws {
        #expect(try Self.connect("192.0.2.3").entries == ["list1=clean"])
        let config = #"{"list3": {"base_url": "list3.example.com", "default_state": "unchecked", "add_authresults": 1}}"#
        let timedOut = try Self.connect("192.0.2.1", config)
        #expect(timedOut.entries == ["list3=unchecked"])
        #expect(timedOut.lines == ["QID: RBLDNS: list3:0:unchecked"])
    }

    @Test func ipv6IsLookedUpByItsReversedNibbles() throws {
        #expect(try Self.connect("2001:db8::25").entries == ["list1=bar"])
        // IPv4-mapped is IPv6 for Net::IP: its nibbles are asked.
        #expect(try Self.connect("::ffff:192.0.2.1").entries == ["list1=foo"])
    }

    @Test func everyListIsAskedInOneBatch() throws {
        let resolver = CountingResolver(Self.zone)
        let config = #"{"b": {"base_url": "list2.example.com", "default_state": "x"}, "a": {"base_url": "list1.example.com", "default_state": "y"}, "c": {"base_url": "list3.example.com", "default_state": "z"}}"#
        _ = try Self.connect("192.0.2.1", config, resolver: resolver)
        #expect(resolver.batches == [[
            DNSQuestion(name: "1.2.0.192.list1.example.com", type: .a),
            DNSQuestion(name: "1.2.0.192.list2.example.com", type: .a),
            DNSQuestion(name: "1.2.0.192.list3.example.com", type: .a),
        ]])
    }

    @Test func aClientWithoutAnAddressIsListedNowhere() throws {
        let resolver = CountingResolver(Self.zone)
        #expect(try Self.connect("", resolver: resolver).entries == ["list1=clean"])
        #expect(resolver.batches.isEmpty)
    }

    @Test func theRBLSObjectHoldsTheSameLists() throws {
        let nested = "{\"rbls\": \(Self.twoLists)}"
        #expect(try Self.handler(nested).lists == Self.handler().lists)
        #expect(try Self.connect("192.0.2.1", nested).entries == ["list1=foo"])
    }

    @Test func everyMessageOfTheConnectionGetsTheHeadersAndTheEntry() throws {
        let rbldns = try Self.handler()
        let harness = Harness(handlers: [rbldns], settings: Harness.oneLine, resolver: Self.zone)
        harness.openConnection(address: "192.0.2.1")
        for subject in ["one", "two"] {
            let replies = harness.sendMessage(headers: [("From", "a@example.org"), ("Subject", subject)])
            #expect(replies.prefix(3) == [
                .insertHeader(index: 1, name: "X-List1", value: "foo"),
                .insertHeader(index: 1, name: "X-List2", value: "bar"),
                .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net; list1=foo"),
            ])
        }
    }

    /// RBLDNS and Sanitize, peers as the registry builds them.
    static func withSanitize(_ listConfig: String) throws -> Harness {
        let rbldns = try handler(listConfig)
        let sanitize = try SanitizeHandler(config: JSONParser.parse("{}"))
        let handlers = ([rbldns, sanitize] as [any Handler]).attachingPeers()
        let harness = Harness(handlers: handlers, settings: Harness.oneLine, resolver: zone)
        harness.openConnection(j: "mx.example.net", address: "192.0.2.3")
        return harness
    }

    @Test func incomingCopiesAreRemovedThroughSanitizeWithANote() throws {
        let harness = try Self.withSanitize(Self.twoLists)
        let replies = harness.sendMessage(headers: [("X-List1", "forged"), ("Subject", "hi"), ("x-list1", "again"), ("X-List2", "clean")])
        #expect(replies.filter { if case .changeHeader = $0 { true } else { false } } == [
            .changeHeader(index: 2, name: "x-list1", value: ""),
            .changeHeader(index: 1, name: "x-list1", value: ""),
            .changeHeader(index: 1, name: "x-list2", value: ""),
        ])
        #expect(replies.contains(.addHeader(name: "X-Received-x-list1", value: "(Received x-list1 header removed by mx.example.net)\n    forged")))
        #expect(replies.contains(.addHeader(name: "X-Received-x-list2", value: "(Received x-list2 header removed by mx.example.net)\n    clean")))
        #expect(replies.contains(.insertHeader(index: 1, name: "X-List1", value: "clean")))
    }

    @Test func sanitizeHeaderSilentAndNo() throws {
        let config = """
            { "list1": { "base_url": "list1.example.com", "default_state": "clean", "add_header": "X-List1", "sanitize_header": "silent" },
              "list2": { "base_url": "list2.example.com", "default_state": "clean", "add_header": "X-List2", "sanitize_header": "no" } }
            """
        let replies = try Self.withSanitize(config).sendMessage(headers: [("X-List1", "forged"), ("X-List2", "kept")])
        #expect(replies.filter { if case .changeHeader = $0 { true } else { false } } == [.changeHeader(index: 1, name: "x-list1", value: "")])
        #expect(!replies.contains { if case .addHeader = $0 { true } else { false } })
    }

    @Test func withoutSanitizeNothingIsRemoved() throws {
        let harness = Harness(handlers: [try Self.handler()], settings: Harness.oneLine, resolver: Self.zone)
        harness.openConnection(address: "192.0.2.3")
        let replies = harness.sendMessage(headers: [("X-List1", "forged")])
        #expect(!replies.contains { if case .changeHeader = $0 { true } else { false } })
    }

    @Test(arguments: [
        (#"{"list 1": {"base_url": "l.example.com", "default_state": "clean"}}"#, "list name"),
        (#"{"list1": {"default_state": "clean"}}"#, "base_url"),
        (#"{"list1": {"base_url": "l.example.com"}}"#, "default_state"),
        (#"{"list1": {"base_url": "l.example.com", "default_state": "clean", "add_header": "X List"}}"#, "not a header field name"),
        (#"{"list1": {"base_url": "l.example.com", "default_state": "clean", "sanitize_header": true}}"#, "expected \"yes\""),
        (#"{"list1": "l.example.com"}"#, "expected an object"),
        (#"{"rbls": []}"#, "expected an object"),
    ])
    func badListsStopStartUp(_ config: String, _ words: String) throws {
        do {
            _ = try Self.handler(config)
            Issue.record("accepted \(config)")
        } catch {
            #expect("\(error)".contains(words), "\(error)")
        }
    }

    @Test func unknownKeysAreThoseInsideALists() throws {
        func warnings(_ text: String) throws -> [String] {
            RBLDNSHandler.unknownKeyWarnings(in: ConfigNode(value: try JSONParser.parse(text), origin: ConfigOrigin(file: "RBLDNS.json")))
        }
        #expect(try warnings(Self.twoLists).isEmpty)
        #expect(try warnings(RBLDNSHandler.defaultConfigJSON).isEmpty)
        let typo = try warnings(#"{"list1": {"base_url": "l.example.com", "default_state": "c", "add_heder": "X-L"}}"#)
        #expect(typo.count == 1 && typo[0].contains("add_heder"))
        let beside = try warnings(#"{"rbls": {}, "list1": {}}"#)
        #expect(beside.count == 1 && beside[0].contains("list1"))
    }
}
