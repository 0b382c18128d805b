import MailAuth
import Testing

@Suite struct DNSNameTests {
    @Test func normalization() {
        #expect(DNSName.normalized("Example.COM.") == "example.com")
        #expect(DNSName.normalized("example.com") == "example.com")
        #expect(DNSName.normalized(".") == ".")
        #expect(DNSName.normalized("a\\.") == "a\\.")      // an escaped dot is part of the label
        #expect(DNSName.normalized("a\\\\.") == "a\\\\")   // an escaped backslash, then the root dot
        #expect(DNSName.normalized("ÄB.test") == "Äb.test")  // only ASCII folds
        #expect(DNSName.equal("MX.Example.Net", "mx.example.net."))
        #expect(!DNSName.equal("mx.example.net", "mx.example.org"))
    }

    @Test func subdomains() {
        #expect(DNSName.isStrictSubdomain("a.b.example", of: "example"))
        #expect(DNSName.isStrictSubdomain("b.example", of: "example"))
        #expect(!DNSName.isStrictSubdomain("example", of: "example"))
        #expect(!DNSName.isStrictSubdomain("badexample", of: "example"))
        #expect(DNSName.isStrictSubdomain("example", of: "."))
    }

    @Test func fromWire() {
        let wire: [UInt8] = [3, 0x77, 0x77, 0x77, 7] + Array("Example".utf8) + [4] + Array("test".utf8) + [0]
        #expect(DNSName.fromWire(wire) == "www.Example.test")
        #expect(DNSName.fromWire([0]) == ".")
        #expect(DNSName.fromWire([3, 0x61, 0x2e, 0x20, 0]) == "a\\.\\032")
        #expect(DNSName.fromWire([3, 0x61, 0x62]) == nil)          // truncated label
        #expect(DNSName.fromWire([2, 0x61, 0x62]) == nil)          // no terminating zero
        #expect(DNSName.fromWire([64] + [UInt8](repeating: 0x61, count: 64) + [0]) == nil)  // label over 63
        let long = [UInt8](repeating: 0, count: 0) + (0..<5).flatMap { _ in [63] + [UInt8](repeating: 0x61, count: 63) } + [0]
        #expect(DNSName.fromWire(long) == nil)                     // name over 255
    }
}
