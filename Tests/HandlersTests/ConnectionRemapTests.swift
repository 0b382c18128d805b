@testable import Config
@testable import Handlers
import Milter
import Testing

@Suite struct ConnectionRemapTests {
    static func entry(_ key: String, ip: String, helo: String?, heloMap: [String: IPMapTarget] = [:]) -> IPMapEntry {
        IPMapEntry(key: key, network: IPMapNetwork(key)!, target: IPMapTarget(ip: ip, helo: helo), heloMap: heloMap)
    }

    let remap = ConnectionRemap([
        entry("10.0.0.0/8", ip: "192.0.2.10", helo: "mx.example.com",
              heloMap: ["inner.test": IPMapTarget(ip: "192.0.2.99", helo: "mx2.example.com")]),
        entry("2001:db8::/32", ip: "198.51.100.1", helo: nil),
    ])

    @Test func matchesByNetworkV4AndV6() {
        #expect(remap.target(forIP: "10.1.2.3", helo: nil) == IPMapTarget(ip: "192.0.2.10", helo: "mx.example.com"))
        #expect(remap.target(forIP: "2001:db8::5", helo: nil) == IPMapTarget(ip: "198.51.100.1", helo: nil))
        #expect(remap.target(forIP: "11.0.0.1", helo: nil) == nil)
        #expect(remap.target(forIP: "not an ip", helo: nil) == nil)
    }

    @Test func heloMapWinsForItsHeloOnly() {
        #expect(remap.target(forIP: "10.1.2.3", helo: "inner.test") == IPMapTarget(ip: "192.0.2.99", helo: "mx2.example.com"))
        #expect(remap.target(forIP: "10.1.2.3", helo: "other.test") == IPMapTarget(ip: "192.0.2.10", helo: "mx.example.com"))
    }

    @Test func dispatcherRemapsAtConnectThenAtHelo() {
        var settings = DispatcherSettings()
        settings.remap = remap
        let session = MailSession(resolver: InMemoryResolverForRemap())
        let dispatcher = MilterDispatcher(handlers: [], session: session, settings: settings, clock: { 0 })
        _ = dispatcher.handle(.connect(hostname: "h", family: .inet, port: 1, address: "10.9.9.9"))
        #expect(session.remoteIP == "192.0.2.10")
        #expect(session.rawRemoteIP == "10.9.9.9")
        _ = dispatcher.handle(.helo("inner.test"))
        #expect(session.remoteIP == "192.0.2.99")
        #expect(session.heloHost == "mx2.example.com")
        #expect(session.rawHeloHost == "inner.test")
        // A second HELO changes nothing.
        _ = dispatcher.handle(.helo("other.test"))
        #expect(session.heloHost == "mx2.example.com")
    }
}
