import MailAuth
import TestSupport
import Testing

/// Fuzz-style robustness with a fixed seed: random bytes in header fields,
/// signature tags, key records and bodies must never trap, and must never
/// pass.
@Suite struct DKIMFuzzTests {
    static let tagNames = ["v", "a", "b", "bh", "c", "d", "h", "i", "l", "q", "s", "t", "x", "z", "k", "p", "g", "n"]
    static let tagValues = ["1", "rsa-sha256", "ed25519-sha256", "rsa-sha1", "relaxed/simple", "simple", "example.com",
                            "test", "from:to", "from", "@example.com", "dns/txt", "AAAA", "12345", "", "=", ";", " ",
                            "\r\n\t", "DKIM1", "rsa", "ed25519", "y", "s", "*", "email"]

    static func randomBytes(_ generator: inout SplitMix64, count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    /// A tag list from a mix of plausible and random pieces.
    static func randomTagList(_ generator: inout SplitMix64) -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0..<Int(generator.next() % 12) {
            switch generator.next() % 4 {
            case 0:
                out += randomBytes(&generator, count: Int(generator.next() % 20))
            default:
                let name = tagNames[Int(generator.next() % UInt64(tagNames.count))]
                let value = tagValues[Int(generator.next() % UInt64(tagValues.count))]
                out += Array("\(name)=\(value);".utf8)
            }
        }
        return out
    }

    @Test func randomSignatureFieldsAndKeysNeverTrapOrPass() throws {
        var generator = SplitMix64(seed: 0xD1C1)
        let body = Array("Hi.\r\n".utf8)
        for round in 0..<2000 {
            var dns = InMemoryDNSResolver()
            dns.add("test._domainkey.example.com", .txt([Self.randomTagList(&generator)]))
            switch round % 5 {
            case 0: dns.markServfail("test._domainkey.example.com")
            case 1: dns.add("test._domainkey.example.com", .txt([Self.randomBytes(&generator, count: 40)]))
            default: break
            }
            let verifier = DKIMVerifier(resolver: dns, options: DKIMVerifierOptions(clock: DKIMTestData.clock))
            verifier.header(MessageHeaderField(name: "From", value: " a@example.com"))
            for _ in 0..<Int(generator.next() % 4 + 1) {
                let name: [UInt8] = generator.next() % 5 == 0 ? Self.randomBytes(&generator, count: 8) : Array("DKIM-Signature".utf8)
                verifier.header(MessageHeaderField(name: name, value: Self.randomTagList(&generator)))
            }
            verifier.header(name: Self.randomBytes(&generator, count: 5), value: Self.randomBytes(&generator, count: 30))
            verifier.endOfHeaders()
            verifier.body(body)
            verifier.body(Self.randomBytes(&generator, count: Int(generator.next() % 50)))
            for result in verifier.finish() {
                #expect(result.result != .pass)
                #expect(!result.detail.isEmpty)
            }
        }
    }

    /// Valid signatures with random single-byte damage: still no trap, and
    /// a pass only when the damage fell somewhere canonicalization ignores
    /// or outside what is signed.
    @Test func damagedSignedMessagesNeverTrap() throws {
        var generator = SplitMix64(seed: 0xBADC0FFE)
        let dns = try DKIMTestData.standardZone()
        let base = try DKIMTestData.bytes("test.message")
        let signed = [try DKIMTestData.sign(base, key: DKIMTestData.rsaKey()),
                      try DKIMTestData.sign(base, key: DKIMTestData.ed25519Key(), domain: "example.net", header: .simple, body: .simple)]
        var passes = 0
        var failures = 0
        for round in 0..<600 {
            var message = signed[round % 2]
            let position = Int(generator.next() % UInt64(message.count))
            message[position] = UInt8(truncatingIfNeeded: generator.next())
            let results = DKIMTestData.verify(message, dns)
            if results.first?.result == .pass { passes += 1 } else { failures += 1 }
        }
        #expect(failures > passes)
    }

    @Test func randomWholeMessagesNeverTrap() {
        var generator = SplitMix64(seed: 99)
        let dns = InMemoryDNSResolver()
        for _ in 0..<500 {
            var message = Self.randomBytes(&generator, count: Int(generator.next() % 300))
            if generator.next() % 2 == 0 { message = Array("DKIM-Signature: ".utf8) + message }
            _ = DKIMVerifier.verify(message: message, resolver: dns)
            _ = MessageHeaderSplitter.split(message)
        }
    }
}
