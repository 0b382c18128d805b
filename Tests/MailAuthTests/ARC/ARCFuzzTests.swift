import Foundation
import MailAuth
import Testing

/// Seeded fuzzing: damaged chains and random ARC fields never trap, never
/// hang and give a coherent result; streaming in random chunks gives the
/// one-shot result; random messages seal and validate.
@Suite struct ARCFuzzTests {
    static let arcNames = ["ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results", "arc-seal", "ARC-SEAL"]
    static let arcTagValues = ["i=1", "i=2", "i=0", "i=50", "i=51", "i=99", "i=", "i=x", "cv=none", "cv=pass", "cv=fail",
                               "cv=", "h=arc-seal", "h=from", "t=1 2", "d=one.example", "s=arc"]

    static func pick<T>(_ list: [T], _ generator: inout SplitMix64) -> T {
        list[Int(generator.next() % UInt64(list.count))]
    }

    /// Whether any line of the header starts an ARC field.
    static func hasARCField(_ message: [UInt8]) -> Bool {
        MessageHeaderSplitter.split(message).fields.contains { field in
            let name = field.nameText.lowercased().trimmingCharacters(in: .whitespaces)
            return ["arc-seal", "arc-message-signature", "arc-authentication-results"].contains(name)
        }
    }

    /// The result must hang together whatever the input.
    static func checkCoherent(_ result: ARCVerifierResult, _ message: [UInt8], _ label: String) {
        switch result.status {
        case .none:
            #expect(!hasARCField(message), "\(label): none with ARC fields")
            #expect(result.reason == nil && result.signatures.isEmpty)
        case .pass:
            #expect((1...50).contains(result.instanceCount), "\(label)")
            #expect(result.reason == nil)
            if let oldest = result.oldestPass { #expect((0...result.instanceCount).contains(oldest), "\(label)") }
            #expect(result.signatures.filter { $0.kind == .seal }.allSatisfy { $0.result == .pass }, "\(label)")
        case .fail:
            #expect(result.reason != nil, "\(label): fail without a reason")
            #expect(result.oldestPass == nil)
        }
    }

    /// Streams `message` in chunks of random sizes, headers in milter form.
    static func streamed(_ message: [UInt8], _ zone: InMemoryDNSResolver, _ generator: inout SplitMix64) -> ARCVerifierResult {
        let verifier = ARCVerifier(resolver: zone, options: ARCTestSupport.verifierOptions)
        let (fields, bodyStart) = MessageHeaderSplitter.split(message)
        for field in fields { verifier.header(field) }
        verifier.endOfHeaders()
        var index = bodyStart
        while index < message.count {
            let size = 1 + Int(generator.next() % 64)
            let end = min(message.count, index + size)
            verifier.body(message[index..<end])
            index = end
        }
        return verifier.finish()
    }

    @Test(.timeLimit(.minutes(2)))
    func damagedChainsNeverTrap() throws {
        let hops = try ARCTestSupport.hops()
        let zone = try ARCTestSupport.zone(hops)
        let chain = try ARCTestSupport.chain(3, hops: hops, zone: zone)
        #expect(ARCTestSupport.verify(chain, zone).status == .pass)
        var generator = SplitMix64(seed: 0xA2C_8617)
        var statuses: [ARCChainStatus: Int] = [:]
        for round in 0..<300 {
            var (fields, body) = ARCTestSupport.split(chain)
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                let index = Int(generator.next() % UInt64(fields.count))
                switch generator.next() % 8 {
                case 0:
                    // One byte of one field replaced.
                    var bytes = Array(fields[index].utf8)
                    guard !bytes.isEmpty else { continue }
                    let at = Int(generator.next() % UInt64(bytes.count))
                    bytes[at] = UInt8(0x20 + generator.next() % 0x5F)
                    fields[index] = String(decoding: bytes, as: UTF8.self)
                case 1:
                    fields.remove(at: index)
                case 2:
                    fields.insert(fields[index], at: Int(generator.next() % UInt64(fields.count)))
                case 3:
                    fields.swapAt(index, Int(generator.next() % UInt64(fields.count)))
                case 4:
                    // A tag of an ARC field rewritten.
                    let value = Self.pick(Self.arcTagValues, &generator)
                    let name = value.prefix { $0 != "=" }
                    fields[index] = fields[index].replacingOccurrences(
                        of: #"\b\#(name)=[^;]*"#, with: value, options: .regularExpression)
                case 5:
                    // A random ARC field.
                    let tags = String(decoding: DKIMFuzzTests.randomTagList(&generator), as: UTF8.self)
                    fields.insert("\(Self.pick(Self.arcNames, &generator)): \(Self.pick(Self.arcTagValues, &generator)); \(tags)",
                                  at: index)
                case 6:
                    body += String(decoding: DKIMFuzzTests.randomBytes(&generator, count: 8).map { 0x20 + $0 % 0x5F }, as: UTF8.self)
                default:
                    // A field cut short.
                    fields[index] = String(fields[index].prefix(Int(generator.next() % 40)))
                }
                if fields.isEmpty { fields = ["From: x@y.example"] }
            }
            let message = ARCTestSupport.join(fields.filter { !$0.isEmpty }, body)
            let result = ARCTestSupport.verify(message, zone)
            Self.checkCoherent(result, message, "round \(round)")
            #expect(Self.streamed(message, zone, &generator) == result, "round \(round): streaming differs")
            statuses[result.status, default: 0] += 1
        }
        // The mutations do reach every outcome.
        #expect(statuses[.fail, default: 0] > 100)
        #expect(statuses[.pass, default: 0] > 0)
    }

    /// Headers made only of random ARC fields: never a pass, and without a
    /// valid structure never a DNS query.
    @Test(.timeLimit(.minutes(1)))
    func randomARCFieldsNeverPass() throws {
        var generator = SplitMix64(seed: 0x5EA1)
        let zone = try ARCTestSupport.zone(try ARCTestSupport.hops())
        for round in 0..<500 {
            var header = "From: a@b.example\r\n"
            for _ in 0..<(1 + Int(generator.next() % 7)) {
                var tags = DKIMFuzzTests.randomTagList(&generator)
                if generator.next() % 2 == 0 { tags = Array("\(Self.pick(Self.arcTagValues, &generator)); ".utf8) + tags }
                header += Self.pick(Self.arcNames, &generator) + ": " + String(decoding: tags, as: UTF8.self)
                    .replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\r", with: " ")
                    .replacingOccurrences(of: "\n", with: " ") + "\r\n"
            }
            let message = Array((header + "\r\nbody\r\n").utf8)
            let resolver = ARCCountingResolver(zone)
            let result = ARCTestSupport.verify(message, resolver)
            #expect(result.status == .fail, "round \(round): \(result.status)")
            Self.checkCoherent(result, message, "round \(round)")
            if result.signatures.isEmpty { #expect(resolver.batches.isEmpty, "round \(round): DNS for a malformed chain") }
            #expect(resolver.batches.count <= 1)
        }
    }

    /// Random messages (LF or CRLF, odd whitespace, empty bodies) sealed
    /// hop after hop always validate.
    @Test(.timeLimit(.minutes(2)))
    func randomMessagesSealAndValidate() throws {
        let hops = try ARCTestSupport.hops()
        let zone = try ARCTestSupport.zone(hops)
        var generator = SplitMix64(seed: 0x8617)
        let words = ["hello", "  ", "\t", "x", "From", "=", ";", "é", "\u{00A0}", "--", ""]
        for round in 0..<40 {
            let eol = generator.next() % 2 == 0 ? "\r\n" : "\n"
            var text = "From: a\(round)@b.example\(eol)Subject:\(Self.pick(words, &generator)) s\(eol)"
            if generator.next() % 2 == 0 { text += "To: c@d.example,\(eol)\t e@f.example\(eol)" }
            text += eol
            for _ in 0..<Int(generator.next() % 6) {
                text += (0..<Int(generator.next() % 5)).map { _ in Self.pick(words, &generator) }.joined(separator: " ") + eol
            }
            var message = Array(text.utf8)
            for hop in 0..<(1 + Int(generator.next() % 3)) {
                message = try ARCTestSupport.seal(message, by: hops[(round + hop) % hops.count], zone: zone).0
            }
            let result = ARCTestSupport.verify(message, zone)
            #expect(result.status == .pass, "round \(round): \(result.reason ?? "")")
            #expect(result.oldestPass == 0)
        }
    }
}
