import Config
import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// TrustedIP: `x-trusted-ip=pass` (connection-level) for clients inside
/// `trusted_ip_list` (addresses and CIDR ranges, IPv4 and IPv6).
@Suite struct TrustedIPHandlerTests {
    /// The example list of the Perl handler's documentation.
    static let perlExample = #"""
        {"trusted_ip_list": ["100.200.100.2", "2001:44c2:3881:aa00::/56", "2001:44b8:3021:123:dead:beef:abcd:1234", "198.51.100.0/24"]}
        """#

    static func handler(_ json: String = perlExample) throws -> TrustedIPHandler {
        try TrustedIPHandler(config: JSONParser.parse(json))
    }

    static func entries(_ ip: String, config: String = perlExample) throws -> [String] {
        let session = MailSession(resolver: InMemoryDNSResolver())
        session.remoteIP = ip
        try handler(config).connect(session)
        #expect(session.isTrustedIP == !session.connectionAuthResults.isEmpty)
        #expect(session.authResults.isEmpty)
        return session.connectionAuthResults.map(\.sortKey)
    }

    static func configError(_ json: String) -> String? {
        do {
            _ = try handler(json)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func defaultConfigParsesAndTrustsNobody() throws {
        _ = try Self.handler(TrustedIPHandler.defaultConfigJSON)
        #expect(TrustedIPHandler.configKeys == ["trusted_ip_list"])
        #expect(TrustedIPHandler.dependencyNames.isEmpty)
        #expect(try Self.entries("127.0.0.1", config: TrustedIPHandler.defaultConfigJSON) == [])
        #expect(try Self.entries("100.200.100.2", config: "{}") == [])
    }

    @Test(arguments: [
        ("100.200.100.2", true), ("100.200.100.3", false),
        ("198.51.100.0", true), ("198.51.100.255", true), ("198.51.101.0", false),
        ("2001:44c2:3881:aa00::1", true), ("2001:44c2:3881:aaff:ffff:ffff:ffff:ffff", true), ("2001:44c2:3881:ab00::", false),
        ("2001:44b8:3021:123:dead:beef:abcd:1234", true), ("2001:44B8:3021:0123:DEAD:BEEF:ABCD:1234", true),
        ("2001:44b8:3021:123:dead:beef:abcd:1235", false),
        // Families never mix, as with Net::IP's overlap test.
        ("::ffff:100.200.100.2", false),
    ])
    func listedAddressesAreTrusted(ip: String, trusted: Bool) throws {
        #expect(try Self.entries(ip) == (trusted ? ["x-trusted-ip=pass"] : []))
    }

    @Test(arguments: ["", "garbage", "100.200.100.2.1", "[UNAVAILABLE]", "100.200.100.2/32", "\u{0}"])
    func unusableAddressesAreNotTrusted(ip: String) throws {
        #expect(try Self.entries(ip) == [])
    }

    @Test func entryShapeAndFlag() throws {
        let session = MailSession(resolver: InMemoryDNSResolver())
        session.remoteIP = "100.200.100.2"
        let handler = try Self.handler()
        try handler.connect(session)
        #expect(session.isTrustedIP)
        #expect(session.connectionAuthResults == [AuthResultsEntry(method: "x-trusted-ip", result: "pass")])
        handler.close(session)
        #expect(!session.isTrustedIP)
    }

    @Test func configErrorsNameTheKey() {
        #expect(Self.configError(#"{"trusted_ip_list": "10.0.0.0/8"}"#)?.contains("trusted_ip_list: expected an array of strings") == true)
        #expect(Self.configError(#"{"trusted_ip_list": {"10.0.0.0/8": 1}}"#)?.contains("expected an array of strings") == true)
        #expect(Self.configError(#"{"trusted_ip_list": ["10.0.0.0/8", "mx.example.com"]}"#)?
            .contains("not an IP address or CIDR range: mx.example.com") == true)
        #expect(Self.configError(#"{"trusted_ip_list": ["10.0.0.0/"]}"#) != nil)
        #expect(Self.configError(#"{"trusted_ip_list": ["10.0.0.0/-1"]}"#) != nil)
        #expect(Self.configError(#"{"trusted_ip_list": [true]}"#)?.contains("expected a string") == true)
        #expect(Self.configError(#"{"trusted_ip_list": null}"#) == nil)
    }

    /// A bad entry is reported with its file position, as ip_map entries are.
    @Test func configErrorCarriesThePosition() throws {
        let text = "{\n  \"trusted_ip_list\": [\n    \"10.0.0.0/8\",\n    \"10.0.0.0/99\"\n  ]\n}"
        let document = try JSONParser.parseDocument(Array(text.utf8), options: .configurationFile)
        let node = ConfigNode(value: document.value, origin: ConfigOrigin(file: "TrustedIP.json", sourceMap: document.sourceMap))
        do {
            _ = try TrustedIPHandler(config: node)
            Issue.record("a bad range was accepted")
        } catch {
            #expect(error.description.hasPrefix("TrustedIP.json:4:5: trusted_ip_list[1]: not an IP address or CIDR range"))
        }
    }

    /// Through the dispatcher, next to LocalIP: both entries, sorted.
    @Test func trustedAndLocalTogether() throws {
        let harness = Harness(handlers: [
            try LocalIPHandler(config: .object(JSONObject())),
            try Self.handler(#"{"trusted_ip_list": ["10.0.0.0/8"]}"#),
        ])
        harness.send(.optionNegotiation(version: 6, actions: .all, steps: .all))
        harness.send(.defineMacros(forCommand: UInt8(ascii: "C"), macros: [MilterMacro(name: "j", value: "mx.example.net")]))
        harness.send(.connect(hostname: "relay.lan", family: .inet, port: 40000, address: "10.9.8.7"))
        harness.send(.helo("relay.lan"))
        #expect(harness.sendMessage() == [
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net;\n    x-local-ip=pass;\n    x-trusted-ip=pass"),
            .continue,
        ])
        #expect(harness.session.isLocalIP && harness.session.isTrustedIP)
    }
}
