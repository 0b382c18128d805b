@testable import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// LocalIP: `x-local-ip=pass` (connection-level) for private, shared,
/// loopback, link-local, reserved and unique-local clients, by Net::IP's
/// address types; `ignore_local_ip_list` overrides; nothing otherwise.
@Suite struct LocalIPHandlerTests {
    static func handler(_ json: String = "{}") throws -> LocalIPHandler {
        try LocalIPHandler(config: JSONParser.parse(json))
    }

    /// The connection-level entries LocalIP writes for one client address.
    static func entries(_ ip: String, config: String = "{}") throws -> [String] {
        let session = MailSession(resolver: InMemoryDNSResolver())
        session.remoteIP = ip
        try handler(config).connect(session)
        #expect(session.isLocalIP == !session.connectionAuthResults.isEmpty)
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

    @Test func defaultConfigParsesAndNamesTheKey() throws {
        _ = try Self.handler(LocalIPHandler.defaultConfigJSON)
        #expect(LocalIPHandler.configKeys == ["ignore_local_ip_list"])
        #expect(LocalIPHandler.dependencyNames.isEmpty)
        #expect(LocalIPHandler.name == "LocalIP")
    }

    /// The cases of the Perl handler's own unit test.
    @Test(arguments: [
        ("0.1.2.3", true), ("127.0.0.1", true), ("127.1.2.3", true), ("10.2.3.4", true),
        ("100.64.0.0", true), ("169.254.2.3", true), ("172.16.3.4", true), ("192.168.0.1", true),
        ("8.8.8.8", false), ("1.2.3.4", false),
        ("FD00:ABCD::1234", true), ("2400:8900::f03c:91ff:fe6e:84c7", false),
    ])
    func perlUnitTestCases(ip: String, local: Bool) throws {
        #expect(try Self.entries(ip) == (local ? ["x-local-ip=pass"] : []))
    }

    /// The edges of Net::IP's tables: the longest matching prefix wins.
    @Test(arguments: [
        ("100.127.255.255", true), ("100.128.0.0", false), ("100.63.255.255", false),
        ("172.31.255.255", true), ("172.32.0.0", false),
        ("192.0.0.8", true), ("192.0.2.1", false), ("198.51.100.1", false), ("203.0.113.1", false),
        ("198.18.0.1", true), ("198.19.255.255", true), ("198.20.0.0", false),
        ("192.88.99.1", false), ("224.0.0.1", false), ("239.255.255.255", false),
        ("240.0.0.1", true), ("255.255.255.254", true), ("255.255.255.255", false),
        ("::1", true), ("::", false), ("::2", true), ("::ffff:10.0.0.1", false),
        ("fe80::1", true), ("febf::1", true), ("fec0::1", true), ("fc00::1", true), ("fdff::1", true),
        ("2001:db8::1", false), ("2001::1", false), ("2002::1", false), ("ff02::1", false),
        ("100::1", false), ("100:0:0:1::1", true), ("4000::1", true), ("e000::1", true),
    ])
    func addressTypeEdges(ip: String, local: Bool) throws {
        #expect(try Self.entries(ip) == (local ? ["x-local-ip=pass"] : []))
    }

    @Test func addressTypesAreNetIPs() {
        #expect(IPAddressType.ipv4Ranges.count == 16)
        #expect(IPAddressType.ipv6Ranges.count == 29)
        #expect(IPAddressType([255, 255, 255, 255]) == .broadcast)
        #expect(IPAddressType([8, 8, 8, 8]) == .publicUse)
        #expect(IPAddressType([100, 64, 1, 1]) == .shared)
        #expect(IPAddressType(Array(repeating: 0, count: 15) + [1]) == .loopback)
        #expect(IPAddressType(Array(repeating: 0, count: 16)) == .unspecified)
        #expect(IPAddressType([0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 12)) == .documentation)
        #expect(IPAddressType([0x20, 0x01, 0x00, 0x10] + Array(repeating: 0, count: 12)) == .orchid)
        #expect(IPAddressType([0x01, 0x00] + Array(repeating: 0, count: 14)) == .discard)
    }

    /// The Perl unit test's ignore list, and CIDR and IPv6 entries.
    @Test(arguments: [("10.0.0.5", false), ("10.1.0.5", false), ("10.1.0.6", true), ("fe80::1", false), ("fd00::1", true)])
    func ignoreListMakesAddressesNonLocal(ip: String, local: Bool) throws {
        let config = #"{"ignore_local_ip_list": ["10.0.0.0/24", "10.1.0.5", "fe80::/10"]}"#
        #expect(try Self.entries(ip, config: config) == (local ? ["x-local-ip=pass"] : []))
    }

    @Test(arguments: ["", "garbage", "1.2.3.4.5", "999.1.1.1", "10.0.0.1/8", "::g", "10.0.0.1\u{0}x",
                      "[UNAVAILABLE]", "unix:/tmp/sock", "IPv6:", "[]", String(repeating: "1", count: 500)])
    func unusableAddressesAreNotLocal(ip: String) throws {
        #expect(try Self.entries(ip) == [])
    }

    @Test(arguments: ["IPv6:::1", "ipv6:fe80::1", "[127.0.0.1]", "[::1]"])
    func mtaSpellingsOfAddressesAreAccepted(ip: String) throws {
        #expect(try Self.entries(ip) == ["x-local-ip=pass"])
    }

    @Test func entryShapeAndFlag() throws {
        let session = MailSession(resolver: InMemoryDNSResolver())
        session.remoteIP = "192.168.1.10"
        let handler = try Self.handler()
        try handler.connect(session)
        #expect(session.isLocalIP)
        #expect(session.connectionAuthResults == [AuthResultsEntry(method: "x-local-ip", result: "pass")])
        handler.close(session)
        #expect(!session.isLocalIP)
    }

    @Test func configErrorsNameTheKey() {
        #expect(Self.configError(#"{"ignore_local_ip_list": "10.0.0.0/8"}"#)?.contains("ignore_local_ip_list: expected an array of strings") == true)
        #expect(Self.configError(#"{"ignore_local_ip_list": ["10.0.0.0/8", "10.0.0.300"]}"#)?
            .contains("not an IP address or CIDR range: 10.0.0.300") == true)
        #expect(Self.configError(#"{"ignore_local_ip_list": ["10.0.0.0/33"]}"#) != nil)
        #expect(Self.configError(#"{"ignore_local_ip_list": ["fe80::/129"]}"#) != nil)
        #expect(Self.configError(#"{"ignore_local_ip_list": [{}]}"#)?.contains("expected a string") == true)
        #expect(Self.configError(#"{"ignore_local_ip_list": [7]}"#)?.contains("not an IP address") == true)
        #expect(Self.configError(#"{"ignore_local_ip_list": null}"#) == nil)
        #expect(Self.configError(#"{"ignore_local_ip_list": []}"#) == nil)
    }

    /// Through the dispatcher: the entry is in the header of every message
    /// of the connection, and gone on the next connection.
    @Test func everyMessageOfTheConnectionCarriesTheEntry() throws {
        let harness = Harness(handlers: [try Self.handler()])
        harness.send(.optionNegotiation(version: 6, actions: .all, steps: .all))
        harness.send(.defineMacros(forCommand: UInt8(ascii: "C"), macros: [MilterMacro(name: "j", value: "mx.example.net")]))
        harness.send(.connect(hostname: "laptop.lan", family: .inet, port: 40000, address: "10.1.2.3"))
        harness.send(.helo("laptop.lan"))
        let header = MilterResponse.insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net;\n    x-local-ip=pass")
        #expect(harness.sendMessage() == [header, .continue])
        #expect(harness.sendMessage() == [header, .continue])
        harness.send(.quitNewConnection)
        #expect(!harness.session.isLocalIP)
        harness.send(.defineMacros(forCommand: UInt8(ascii: "C"), macros: [MilterMacro(name: "j", value: "mx.example.net")]))
        harness.send(.connect(hostname: "mail.example.org", family: .inet, port: 40001, address: "192.0.2.1"))
        harness.send(.helo("mail.example.org"))
        #expect(harness.sendMessage() == [
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net; none"), .continue,
        ])
    }
}
