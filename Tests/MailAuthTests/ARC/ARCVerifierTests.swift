import Foundation
import MailAuth
import TestSupport
import Testing

/// Validation beyond the suite: broken chains of every kind give `fail`
/// (or `none` without ARC fields) with the reason RFC 8617 section 5.2
/// names, structurally broken chains cost no DNS, keys come in one batch,
/// DNS failures are failures (section 5.2.1).
@Suite struct ARCVerifierTests {
    /// A valid two-set chain, taken apart.
    static func chain() throws -> (fields: [String], body: String, zone: InMemoryDNSResolver) {
        let hops = try ARCTestSupport.hops()
        let zone = try ARCTestSupport.zone(hops)
        let (fields, body) = ARCTestSupport.split(try ARCTestSupport.chain(2, hops: hops, zone: zone))
        return (fields, body, zone)
    }

    static func index(_ fields: [String], _ name: String, instance: Int) -> Int? {
        fields.firstIndex { field in
            guard field.lowercased().hasPrefix(name.lowercased() + ":") else { return false }
            let squeezed = ARCTestData.squeezed(field)
            return squeezed.contains(":i=\(instance);") || squeezed.contains(";i=\(instance);")
                || squeezed.hasSuffix(";i=\(instance)")
        }
    }

    /// The chain with `change` applied to its fields, validated.
    static func mutated(_ change: (inout [String]) throws -> Void) throws -> (ARCVerifierResult, ARCCountingResolver) {
        let original = try chain()
        var fields = original.fields
        try change(&fields)
        let resolver = ARCCountingResolver(original.zone)
        return (ARCTestSupport.verify(ARCTestSupport.join(fields, original.body), resolver), resolver)
    }

    @Test func noARCFieldsIsNone() throws {
        let resolver = ARCCountingResolver(InMemoryDNSResolver())
        let verifier = ARCVerifier(resolver: resolver)
        for field in MessageHeaderSplitter.split(ARCTestSupport.message).fields { verifier.header(field) }
        #expect(!verifier.hasARCHeaders)
        #expect(!verifier.needsBody)
        let result = verifier.finish()
        #expect(result == ARCVerifierResult(status: .none))
        #expect(result.detail == "none")
        #expect(resolver.batches.isEmpty)
        #expect(ARCVerifier.verify(message: [], resolver: resolver).status == .none)
    }

    @Test func validChainUsesOneDNSBatch() throws {
        let (result, resolver) = try Self.mutated { _ in }
        #expect(result.status == .pass)
        #expect(resolver.batches.count == 1)
        #expect(Set(resolver.batches[0].map(\.name)) == ["arc._domainkey.one.example", "arc._domainkey.two.example"])
        #expect(resolver.batches[0].count == 2)
    }

    /// Structure (RFC 8617 section 5.2 steps 1 to 3): each breakage fails
    /// with its reason and without a single DNS query.
    @Test(arguments: [
        ("missing ARC-Seal i=1", "missing ARC-Seal i=1"),
        ("missing AMS i=2", "missing ARC-Message-Signature i=2"),
        ("missing AAR i=1", "missing ARC-Authentication-Results i=1"),
        ("duplicate AMS i=2", "duplicate ARC-Message-Signature i=2"),
        ("duplicate AAR i=1", "duplicate ARC-Authentication-Results i=1"),
        ("missing set 1", "missing ARC-Authentication-Results i=1"),
        ("i=0", "ARC-Authentication-Results with instance 0 outside 1-50"),
        ("i=51", "ARC-Authentication-Results with instance 51 outside 1-50"),
        ("AAR without i=", "ARC-Authentication-Results without a valid instance (i=)"),
        ("AMS i=x", "ARC-Message-Signature without a valid instance (i=)"),
        ("AS i=100", "ARC-Seal without a valid instance (i=)"),
        ("cv=pass on i=1", "ARC-Seal i=1 has cv=pass, must be none"),
        ("cv=none on i=2", "ARC-Seal i=2 has cv=none, must be pass"),
        ("cv=fail on i=1", "ARC-Seal i=1 has cv=fail, must be none"),
        ("cv=fail on i=2", "ARC-Seal i=2 has cv=fail"),
        ("cv missing on i=1", "ARC-Seal i=1 has no valid cv="),
        ("garbage AS i=1", "ARC-Seal without a valid instance (i=)"),
        ("stray AS i=3", "missing ARC-Authentication-Results i=3"),
    ])
    func brokenStructure(_ breakage: String, _ reason: String) throws {
        let (result, resolver) = try Self.mutated { fields in
            func at(_ name: String, _ instance: Int) throws -> Int {
                try #require(Self.index(fields, name, instance: instance), "no \(name) i=\(instance)")
            }
            switch breakage {
            case "missing ARC-Seal i=1": fields.remove(at: try at("ARC-Seal", 1))
            case "missing AMS i=2": fields.remove(at: try at("ARC-Message-Signature", 2))
            case "missing AAR i=1": fields.remove(at: try at("ARC-Authentication-Results", 1))
            case "duplicate AMS i=2": fields.insert(fields[try at("ARC-Message-Signature", 2)], at: 0)
            case "duplicate AAR i=1": fields.append(fields[try at("ARC-Authentication-Results", 1)])
            case "missing set 1":
                for name in ["ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results"] {
                    fields.remove(at: try at(name, 1))
                }
            case "i=0": fields.insert("ARC-Authentication-Results: i=0; x.example; none", at: 0)
            case "i=51": fields.insert("ARC-Authentication-Results: i=51; x.example; none", at: 0)
            case "AAR without i=": fields.insert("ARC-Authentication-Results: x.example; none", at: 0)
            case "AMS i=x": fields.insert("ARC-Message-Signature: i=x; a=rsa-sha256; d=x.example; s=s; h=from; bh=AA==; b=AA==", at: 0)
            case "AS i=100": fields.insert("ARC-Seal: i=100; a=rsa-sha256; cv=pass; d=x.example; s=s; b=AA==", at: 0)
            case "cv=pass on i=1":
                let index = try at("ARC-Seal", 1)
                fields[index] = fields[index].replacingOccurrences(of: "cv=none", with: "cv=pass")
            case "cv=none on i=2":
                let index = try at("ARC-Seal", 2)
                fields[index] = fields[index].replacingOccurrences(of: "cv=pass", with: "cv=none")
            case "cv=fail on i=1":
                let index = try at("ARC-Seal", 1)
                fields[index] = fields[index].replacingOccurrences(of: "cv=none", with: "cv=fail")
            case "cv=fail on i=2":
                let index = try at("ARC-Seal", 2)
                fields[index] = fields[index].replacingOccurrences(of: "cv=pass", with: "cv=fail")
            case "cv missing on i=1":
                let index = try at("ARC-Seal", 1)
                fields[index] = fields[index].replacingOccurrences(of: "cv=none;", with: "")
            case "garbage AS i=1":
                let index = try at("ARC-Seal", 1)
                fields[index] = fields[index].replacingOccurrences(of: "cv=none;", with: "cv=none; garbage;")
            case "stray AS i=3": fields.insert("ARC-Seal: i=3; a=rsa-sha256; cv=pass; d=x.example; s=s; b=AA==", at: 0)
            default: Issue.record("unknown breakage \(breakage)")
            }
        }
        #expect(result.status == .fail)
        #expect(result.reason == reason)
        #expect(result.signatures.isEmpty)
        #expect(resolver.batches.isEmpty, "a malformed chain costs no DNS")
        #expect(result.detail == "fail (\(reason))")
    }

    /// Tags: the signatures are judged, the chain fails with the first
    /// failing step's reason.
    @Test(arguments: [
        ("AS h= tag", "ARC-Seal i=2: invalid (h= tag not allowed in ARC-Seal)", nil),
        ("AMS signs ARC-Seal", "ARC-Message-Signature i=2: invalid (ARC-Message-Signature signs ARC-Seal)", nil),
        ("AS empty tag", "ARC-Seal i=2: invalid (syntax error)", nil),
        ("AS t= with space", "ARC-Seal i=2: invalid (invalid t tag)", nil),
        ("AS unknown algorithm", "ARC-Seal i=2: invalid (unsupported algorithm ed25519-sha512)", nil),
        ("AMS body altered", "ARC-Message-Signature i=2: fail (body has been altered)", nil),
        // A change to set 1 breaks both seals; the newest is reported first.
        ("AAR 1 altered", "ARC-Seal i=2: fail (bad Ed25519 signature)", "fail (message has been altered)"),
        ("AMS 1 altered", "ARC-Seal i=2: fail (bad Ed25519 signature)", "fail (message has been altered)"),
    ] as [(String, String, String?)])
    func badSignatures(_ breakage: String, _ reason: String, _ firstSeal: String?) throws {
        let original = try Self.chain()
        var fields = original.fields
        var body = original.body
        let zone = original.zone
        func at(_ name: String, _ instance: Int) throws -> Int {
            try #require(Self.index(fields, name, instance: instance), "no \(name) i=\(instance)")
        }
        switch breakage {
        case "AS h= tag":
            let index = try at("ARC-Seal", 2)
            fields[index] = fields[index].replacingOccurrences(of: "cv=pass;", with: "cv=pass; h=from;")
        case "AMS signs ARC-Seal":
            let index = try at("ARC-Message-Signature", 2)
            fields[index] = fields[index].replacingOccurrences(of: "h=from:", with: "h=arc-seal:from:")
        case "AS empty tag":
            let index = try at("ARC-Seal", 2)
            fields[index] = fields[index].replacingOccurrences(of: "cv=pass;", with: "cv=pass;;")
        case "AS t= with space":
            let index = try at("ARC-Seal", 2)
            fields[index] = fields[index].replacingOccurrences(of: "t=1700000000", with: "t=1700 000000")
        case "AS unknown algorithm":
            let index = try at("ARC-Seal", 2)
            fields[index] = fields[index].replacingOccurrences(of: "a=ed25519-sha256", with: "a=ed25519-sha512")
        case "AMS body altered":
            body += "appended\r\n"
        case "AAR 1 altered":
            let index = try at("ARC-Authentication-Results", 1)
            fields[index] = fields[index].replacingOccurrences(of: "spf=pass", with: "spf=fail")
        case "AMS 1 altered":
            let index = try at("ARC-Message-Signature", 1)
            fields[index] = fields[index].replacingOccurrences(of: "s=arc", with: "s=arc ")
        default:
            Issue.record("unknown breakage \(breakage)")
        }
        let result = ARCTestSupport.verify(ARCTestSupport.join(fields, body), zone)
        #expect(result.status == .fail)
        #expect(result.reason == reason)
        #expect(result.oldestPass == nil)
        #expect(result.signatures.count == 4)
        if let firstSeal {
            #expect(result.signatures.first { $0.kind == .seal && $0.instance == 1 }?.detail == firstSeal)
        }
    }

    /// Every error is permanent for ARC (RFC 8617 section 5.2.1); the
    /// signature keeps DKIM's temperror for whoever wants to know.
    @Test func dnsFailuresFailTheChain() throws {
        let (fields, body, original) = try Self.chain()
        var zone = original
        zone.markTimeout("arc._domainkey.one.example", type: .txt)
        var result = ARCTestSupport.verify(ARCTestSupport.join(fields, body), zone)
        #expect(result.status == .fail)
        #expect(result.reason == "ARC-Seal i=1: invalid (public key: DNS error: query timed out)")
        #expect(result.signatures.first { $0.kind == .seal && $0.instance == 1 }?.result == .temperror)

        zone = original
        zone.remove("arc._domainkey.two.example")
        result = ARCTestSupport.verify(ARCTestSupport.join(fields, body), zone)
        #expect(result.reason == "ARC-Message-Signature i=2: invalid (public key: not available)")

        // A 512-bit key is too short (RFC 8301 section 3.2), unless allowed.
        let weak = try DKIMSigningKey(pem: """
            -----BEGIN RSA PRIVATE KEY-----
            MIIBOwIBAAJBAPicAjomyxd4iRmwMJjZ8l+zbwxNtaRJPqVnpX3SviaA5TinIqyN
            YGCNEDkJkqfg/5mEWVr1ZavyxEXSO2Y6NacCAwEAAQJAIdCGdQZlxVF9xGK0mXW7
            g8zSI+hF9oyH2tOYLN8HQhEte40c5O2/XkcC8ALt0XkG6Qu1zsN0Y7XV8viV1MB0
            AQIhAPzp+xMW7UU/J1iOKMpkFSAl0ADTkFy2jOdnn+gPoVSnAiEA+6SU9UbcHrDd
            q4TM+J2pg5tgSjaZ2DfKGfVi1l9vNwECIGiivTeWoq+lgzfGCOZDJeJZAod1ACL7
            e6w5WRT/cnW9AiEAueVFXUSxi8KgnvqF6QuflGeN5IUddYsRM8gA8diicgECIQCs
            1/XkXiHR00AiczrrO9lBW8WCNlZeUFfH/k7b53pU7A==
            -----END RSA PRIVATE KEY-----
            """)
        let hop = ARCTestSupport.Hop(domain: "weak.example", key: weak)
        let weakZone = try ARCTestSupport.zone([hop])
        let sealed = try ARCTestSupport.seal(ARCTestSupport.message, by: hop, zone: weakZone).0
        result = ARCTestSupport.verify(sealed, weakZone)
        #expect(result.status == .fail)
        #expect(result.reason == "ARC-Message-Signature i=1: fail (Key length 512 too short)")
        let lenient = ARCVerifierOptions(minimumRSAKeyBits: 512, clock: ARCTestSupport.clock)
        #expect(ARCTestSupport.verify(sealed, weakZone, options: lenient).status == .pass)
    }

    @Test func authenticationResultsRecords() throws {
        let message = Array("""
            ARC-Authentication-Results: i=1 (first hop) ; (id) mx.example.org ;\r
              spf=pass smtp.mailfrom=a.example;\r
              dkim=pass header.d=a.example\r
            From: a@a.example\r
            \r
            body\r\n
            """.utf8)
        let result = ARCVerifier.verify(message: message, resolver: InMemoryDNSResolver())
        #expect(result.status == .fail)
        #expect(result.reason == "missing ARC-Message-Signature i=1")
        // The records come only with a structurally valid chain.
        #expect(result.authenticationResults.isEmpty)

        let (fields, body, zone) = try Self.chain()
        let valid = ARCTestSupport.verify(ARCTestSupport.join(fields, body), zone)
        #expect(valid.authenticationResults.map(\.instance) == [1, 2])
        #expect(valid.authenticationResults(instance: 2)?.authservID == "mx.two.example")
        #expect(valid.authenticationResults(instance: 2)?.payload == "mx.two.example; spf=pass smtp.mailfrom=origin.example")
        #expect(valid.authenticationResults(instance: 2)?.results == "spf=pass smtp.mailfrom=origin.example")
    }

    @Test func finishTwiceAndLateInput() throws {
        let (fields, body, zone) = try Self.chain()
        let message = ARCTestSupport.join(fields, body)
        let verifier = ARCVerifier(resolver: zone, options: ARCTestSupport.verifierOptions)
        let (parsed, bodyStart) = MessageHeaderSplitter.split(message)
        for field in parsed { verifier.header(field) }
        verifier.body(message[bodyStart...])
        let first = verifier.finish()
        verifier.header(name: "ARC-Seal", value: "i=3; cv=fail")
        verifier.body(Array("changed".utf8))
        #expect(verifier.finish() == first)
        #expect(first.status == .pass)
        #expect(!verifier.needsBody)
    }
}
