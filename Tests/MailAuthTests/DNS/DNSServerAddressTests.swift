import MailAuth
import Testing

@Suite struct DNSServerAddressTests {
    @Test func forms() {
        #expect(DNSServerAddress("192.0.2.53") == DNSServerAddress(address: [192, 0, 2, 53], port: 53))
        #expect(DNSServerAddress("192.0.2.53:5353") == DNSServerAddress(address: [192, 0, 2, 53], port: 5353))
        #expect(DNSServerAddress("  127.0.0.1:15353 ")?.port == 15353)
        let v6 = DNSServerAddress("2001:db8::53")
        #expect(v6?.isIPv6 == true)
        #expect(v6?.port == 53)
        #expect(DNSServerAddress("[2001:db8::53]:5353")?.port == 5353)
        #expect(DNSServerAddress("[::1]:15353") == DNSServerAddress(address: [UInt8](repeating: 0, count: 15) + [1], port: 15353))
        #expect(DNSServerAddress("[::1]")?.port == 53)
        let scoped = DNSServerAddress("[fe80::1%eth0]:53")
        #expect(scoped?.zone == "eth0")
        #expect(DNSServerAddress("fe80::1%2")?.zone == "2")
    }

    @Test func refused() {
        for bad in ["", "localhost", "192.0.2.1:", "192.0.2.1:0", "192.0.2.1:65536", "192.0.2.1:x", "[2001:db8::1",
                    "[2001:db8::1]5353", "[192.0.2.1]:53", "192.0.2.1%eth0", "fe80::1%", "1.2.3.4.5"] {
            #expect(DNSServerAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func description() {
        #expect(DNSServerAddress("192.0.2.1")?.description == "192.0.2.1:53")
        #expect(DNSServerAddress("2001:DB8:0::1")?.description == "[2001:db8::1]:53")
        #expect(DNSServerAddress("[fe80::1%eth0]:5353")?.description == "[fe80::1%eth0]:5353")
    }

    @Test func resolvConf() {
        let text = """
        # generated
        search example.com
        nameserver 10.0.0.1
        nameserver  2001:db8::53   # inline comment
        ;nameserver 10.9.9.9
        nameserver 10.0.0.1
        nameserver not-an-address
        options timeout:2 attempts:3
        nameserver\t192.0.2.9
        """
        #expect(DNSResolvConf.nameservers(in: text).map(\.description) == ["10.0.0.1:53", "[2001:db8::53]:53", "192.0.2.9:53"])
        #expect(DNSResolvConf.nameservers(in: "").isEmpty)
    }
}
