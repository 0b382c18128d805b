import Foundation
import MailAuth
import TestSupport

/// Keys, a zone and a hop-by-hop sealing helper for the ARC unit, fuzz and
/// interop tests: each hop validates the chain as it arrives, then adds
/// its set, as an ARC-enabled MTA does.
enum ARCTestSupport {
    /// One sealing ADMD.
    struct Hop {
        var domain: String
        var selector: String = "arc"
        var key: DKIMSigningKey
        var authservID: String { "mx.\(domain)" }
        var keyName: String { "\(selector)._domainkey.\(domain)" }
    }

    static let clock = DKIMClock.fixed(1_700_000_000)

    /// Three ADMDs: RSA-1024 (dkimpy's test.private), Ed25519, RSA-2048.
    static func hops() throws -> [Hop] {
        [
            Hop(domain: "one.example", key: try DKIMTestData.rsaKey()),
            Hop(domain: "two.example", key: try DKIMTestData.ed25519Key()),
            Hop(domain: "three.example", key: try DKIMSigningKey(pem: DKIMTestData.text("2048_testkey.key"))),
        ]
    }

    static func zone(_ hops: [Hop]) throws -> InMemoryDNSResolver {
        var zone = InMemoryDNSResolver()
        for hop in hops { zone.add(hop.keyName, DKIMTestData.txt(try hop.key.keyRecord())) }
        return zone
    }

    static let message = Array([
        "From: Joe <joe@origin.example>",
        "To: list@lists.example",
        "Subject: ARC test",
        "Date: Mon, 01 Jan 2024 10:00:00 +0000",
        "Message-ID: <arc-test@origin.example>",
        "MIME-Version: 1.0",
        "",
        "Hello,",
        "",
        "  this travels   through several hops.  ",
        "",
        "",
        "",
    ].joined(separator: "\r\n").utf8)

    /// The options a hop seals with.
    static func options(_ hop: Hop, foldWidth: Int = 78) -> ARCSealerOptions {
        ARCSealerOptions(domain: hop.domain, selector: hop.selector, foldWidth: foldWidth, clock: clock)
    }

    /// Validates `message`, then seals it as `hop`; returns the message
    /// with the new set on top, and the validation it was sealed after.
    static func seal(_ message: [UInt8], by hop: Hop, zone: InMemoryDNSResolver,
                     results: String = "spf=pass smtp.mailfrom=origin.example") throws -> ([UInt8], ARCVerifierResult) {
        let verification = ARCVerifier.verify(message: message, resolver: zone, options: verifierOptions)
        let set = try ARCSealer.seal(message: message, key: hop.key, options: options(hop), verification: verification,
                                     authservID: hop.authservID, results: results)
        return (set.headerBytes + message, verification)
    }

    /// A chain of `count` sets, hops taken in turn.
    static func chain(_ count: Int, hops: [Hop], zone: InMemoryDNSResolver) throws -> [UInt8] {
        var current = message
        for index in 0..<count {
            current = try seal(current, by: hops[index % hops.count], zone: zone).0
        }
        return current
    }

    static let verifierOptions = ARCVerifierOptions(clock: clock)

    static func verify(_ message: [UInt8], _ resolver: any DNSResolver,
                       options: ARCVerifierOptions = verifierOptions) -> ARCVerifierResult {
        ARCVerifier.verify(message: message, resolver: resolver, options: options)
    }

    /// The message's header lines (each field with its folded lines) and
    /// body, to take apart and put together again.
    static func split(_ message: [UInt8]) -> (fields: [String], body: String) {
        let text = String(decoding: message, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let head = parts[0]
        let body = parts.dropFirst().joined(separator: "\r\n\r\n")
        var fields: [String] = []
        for line in head.components(separatedBy: "\r\n") {
            if line.hasPrefix(" ") || line.hasPrefix("\t"), !fields.isEmpty {
                fields[fields.count - 1] += "\r\n" + line
            } else {
                fields.append(line)
            }
        }
        return (fields, body)
    }

    static func join(_ fields: [String], _ body: String) -> [UInt8] {
        Array((fields.joined(separator: "\r\n") + "\r\n\r\n" + body).utf8)
    }
}

/// Counts what is asked of the zone: batches and questions.
final class ARCCountingResolver: DNSResolver {
    let zone: InMemoryDNSResolver
    private(set) var batches: [[DNSQuestion]] = []

    init(_ zone: InMemoryDNSResolver) {
        self.zone = zone
    }

    func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] {
        batches.append(questions)
        return zone.lookup(questions)
    }
}
