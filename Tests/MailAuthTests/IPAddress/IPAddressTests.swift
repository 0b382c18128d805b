import MailAuth
import Testing

/// The small address type the checks share: parsing, the text forms SPF
/// macros and PTR lookups need, prefix matching, IPv4-mapped handling.
@Suite struct IPAddressTests {
    @Test func parsesBothFamilies() throws {
        let v4 = try #require(IPAddress("192.0.2.1"))
        #expect(v4.isIPv4 && v4.bytes == [192, 0, 2, 1] && v4.v4Value == 0xc000_0201)
        let v6 = try #require(IPAddress("2001:DB8::CB01"))
        #expect(v6.isIPv6 && v6.high == 0x2001_0db8_0000_0000 && v6.low == 0xcb01)
        #expect(IPAddress("::") == IPAddress(v6: 0, 0))
        #expect(IPAddress("::1.2.3.4")?.low == 0x0102_0304)
    }

    @Test func refusesMalformedText() {
        for text in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4/24", ":CAFE::BABE", "1:2:3:4:5:6:7:8:9",
                     "2001:db8::1::2", "fe80::1%eth0", "example.com", " 1.2.3.4"] {
            #expect(IPAddress(text) == nil, "\(text)")
        }
    }

    @Test func clientAddressDecorationIsTolerated() {
        #expect(IPAddress(clientAddress: "IPv6:2001:db8::1") == IPAddress("2001:db8::1"))
        #expect(IPAddress(clientAddress: "[192.0.2.7]") == IPAddress("192.0.2.7"))
        #expect(IPAddress(clientAddress: "fe80::1%eth0") == IPAddress("fe80::1"))
        #expect(IPAddress(clientAddress: " 192.0.2.7 ") == IPAddress("192.0.2.7"))
        #expect(IPAddress(clientAddress: "unknown") == nil)
    }

    @Test func bytesRoundTrip() throws {
        for text in ["0.0.0.0", "255.255.255.255", "2001:db8:ff0:100::2", "::ffff:192.0.2.1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"] {
            let address = try #require(IPAddress(text))
            #expect(IPAddress(bytes: address.bytes) == address)
        }
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
    }

    @Test func ipv4MappedAddressesUnmapToIPv4() throws {
        let mapped = try #require(IPAddress("::FFFF:1.2.3.4"))
        #expect(mapped.isIPv6 && mapped.isIPv4Mapped)
        #expect(mapped.unmapped == IPAddress("1.2.3.4"))
        #expect(mapped.description == "::ffff:1.2.3.4")
        #expect(IPAddress("::1.2.3.4")?.isIPv4Mapped == false)
        #expect(IPAddress("1.2.3.4")?.unmapped == IPAddress("1.2.3.4"))
    }

    @Test func formatsAsRFC5952() {
        #expect(IPAddress("2001:0DB8:0000:0000:0000:0000:0000:0001")?.description == "2001:db8::1")
        #expect(IPAddress("2001:db8:0:1:0:0:0:1")?.description == "2001:db8:0:1::1")
        #expect(IPAddress("10.0.0.1")?.description == "10.0.0.1")
    }

    @Test func dottedFormsForMacrosAndReverseLookups() {
        // RFC 7208 section 7.4's examples.
        #expect(IPAddress("192.0.2.3")?.dottedForm == "192.0.2.3")
        #expect(IPAddress("2001:db8::cb01")?.dottedForm
                == "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1")
        #expect(IPAddress("192.0.2.3")?.reverseDomainName == "3.2.0.192.in-addr.arpa")
        #expect(IPAddress("2001:db8::cb01")?.reverseDomainName
                == "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")
    }

    @Test func networksMatchByPrefix() throws {
        let net = try #require(IPNetwork("192.0.2.77/24"))
        #expect(net.address == IPAddress("192.0.2.77") && net.prefixLength == 24)
        #expect(net.contains(IPAddress("192.0.2.1")!))
        #expect(!net.contains(IPAddress("192.0.3.1")!))
        #expect(IPNetwork("0.0.0.0/0")!.contains(IPAddress("203.0.113.9")!))
        #expect(IPNetwork("203.0.113.9")!.contains(IPAddress("203.0.113.9")!))
        #expect(!IPNetwork("203.0.113.9")!.contains(IPAddress("203.0.113.8")!))
        let v6 = try #require(IPNetwork("Cafe:Babe:8000::/33"))
        #expect(v6.contains(IPAddress("CAFE:BABE:8000::")!))
        #expect(v6.contains(IPAddress("cafe:babe:ffff::1")!))
        #expect(!v6.contains(IPAddress("cafe:babf::")!))
        #expect(IPNetwork("::/0")!.contains(IPAddress("DEAF:BABE::CAB:FEE")!))
        #expect(IPNetwork("2001:db8::1/128")!.contains(IPAddress("2001:db8::1")!))
        #expect(!IPNetwork("2001:db8::1/127")!.contains(IPAddress("2001:db8::2")!))
        // Crossing the 64-bit word boundary.
        #expect(IPNetwork("2001:db8:0:0:8000::/65")!.contains(IPAddress("2001:db8::ffff:0:0:1")!))
        #expect(!IPNetwork("2001:db8:0:0:8000::/65")!.contains(IPAddress("2001:db8::7fff:0:0:1")!))
    }

    @Test func familiesNeverMatchEachOther() {
        #expect(!IPNetwork("0.0.0.0/0")!.contains(IPAddress("::1")!))
        #expect(!IPNetwork("::/0")!.contains(IPAddress("1.2.3.4")!))
        // A mapped client matches IPv4 networks only once unmapped.
        #expect(!IPNetwork("1.2.3.4")!.contains(IPAddress("::ffff:1.2.3.4")!))
        #expect(IPNetwork("1.2.3.4")!.contains(IPAddress("::ffff:1.2.3.4")!.unmapped))
    }

    @Test func prefixLengthsAreStrict() {
        #expect(IPNetwork("1.2.3.4/33") == nil)
        #expect(IPNetwork("1.2.3.4/032") == nil)
        #expect(IPNetwork("1.2.3.4/") == nil)
        #expect(IPNetwork("1.2.3.4/-1") == nil)
        #expect(IPNetwork("::1/129") == nil)
        #expect(IPNetwork("::1/128")?.prefixLength == 128)
        #expect(IPNetwork("1.2.3.4/0")?.prefixLength == 0)
    }
}
