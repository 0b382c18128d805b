import MailAuth
import Testing

@Suite struct DNSAddressTextTests {
    @Test func ipv4() {
        #expect(DNSAddressText.parseIPv4("192.0.2.1") == [192, 0, 2, 1])
        #expect(DNSAddressText.parseIPv4("0.0.0.0") == [0, 0, 0, 0])
        #expect(DNSAddressText.parseIPv4("255.255.255.255") == [255, 255, 255, 255])
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "a.b.c.d", " 1.2.3.4", "1.2.3.4/24", "١.2.3.4"] {
            #expect(DNSAddressText.parseIPv4(bad) == nil, "\(bad)")
        }
        #expect(DNSAddressText.formatIPv4([10, 0, 0, 255]) == "10.0.0.255")
    }

    @Test func ipv6Parsing() {
        #expect(DNSAddressText.parseIPv6("::") == [UInt8](repeating: 0, count: 16))
        #expect(DNSAddressText.parseIPv6("::1") == [UInt8](repeating: 0, count: 15) + [1])
        #expect(DNSAddressText.parseIPv6("2001:db8::1") == [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1])
        #expect(DNSAddressText.parseIPv6("2001:DB8:0:0:0:0:0:1") == DNSAddressText.parseIPv6("2001:db8::1"))
        #expect(DNSAddressText.parseIPv6("fe80::") == [0xfe, 0x80] + [UInt8](repeating: 0, count: 14))
        #expect(DNSAddressText.parseIPv6("::ffff:192.0.2.1") == [UInt8](repeating: 0, count: 10) + [0xff, 0xff, 192, 0, 2, 1])
        #expect(DNSAddressText.parseIPv6("1:2:3:4:5:6:192.0.2.1") != nil)
        for bad in ["", ":", ":::", "1::2::3", "12345::", "g::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", ":1:2:3:4:5:6:7",
                    "1:2:3:4:5:6:7:", "::1.2.3", "1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::1%eth0"] {
            #expect(DNSAddressText.parseIPv6(bad) == nil, "\(bad)")
        }
    }

    @Test func ipv6FormattingFollowsRFC5952() {
        func round(_ text: String) -> String? { DNSAddressText.parseIPv6(text).map(DNSAddressText.formatIPv6) }
        #expect(round("2001:0db8:0000:0000:0000:0000:0000:0001") == "2001:db8::1")
        #expect(round("2001:db8:0:1:1:1:1:1") == "2001:db8:0:1:1:1:1:1")  // a single zero group stays
        #expect(round("2001:0:0:1:0:0:0:1") == "2001:0:0:1::1")          // the longest run wins
        #expect(round("2001:db8:0:0:1:0:0:1") == "2001:db8::1:0:0:1")    // the first of equal runs
        #expect(round("::") == "::")
        #expect(round("::1") == "::1")
        #expect(round("1::") == "1::")
        #expect(round("FE80::ABCD") == "fe80::abcd")
        #expect(round("::ffff:7f00:1") == "::ffff:127.0.0.1")
    }
}
