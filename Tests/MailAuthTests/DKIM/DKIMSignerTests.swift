import MailAuth
import TestSupport
import Testing

/// The signer: round trips with RSA-2048 and Ed25519 in every
/// canonicalization, the tags it writes, its layout and its refusals.
@Suite(.requiresConformanceData(.dkim)) struct DKIMSignerTests {
    static let message = Array(("From: Joe <joe@example.com>\r\nTo: Suzie <suzie@example.net>,\r\n  Bob <bob@example.net>\r\n"
        + "Subject: dinner\r\nDate: Mon, 01 Jan 2024 10:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\n"
        + "Hi.\r\n\r\n  How  are you?  \r\n\r\n\r\n").utf8)

    static func rsa2048() throws -> DKIMSigningKey {
        try DKIMSigningKey(pem: DKIMTestData.text("2048_testkey.key"))
    }

    static func zone(_ key: DKIMSigningKey, domain: String = "example.com", selector: String = "test") throws -> InMemoryDNSResolver {
        DKIMTestData.zone(["\(selector)._domainkey.\(domain)": try key.keyRecord()])
    }

    @Test func roundTrips() throws {
        for key in [try Self.rsa2048(), try DKIMTestData.ed25519Key()] {
            let dns = try Self.zone(key)
            for (header, body) in DKIMTestData.canonicalizations {
                let signed = try DKIMTestData.sign(Self.message, key: key, header: header, body: body)
                let results = DKIMTestData.verify(signed, dns)
                #expect(results.map(\.detail) == ["pass"], "\(key.keyType) \(header)/\(body)")
                #expect(results[0].keyBits == (key.keyType == .rsa ? 2048 : 256))
                #expect(results[0].algorithm == (key.keyType == .rsa ? "rsa-sha256" : "ed25519-sha256"))
            }
        }
    }

    @Test func keyRecords() throws {
        #expect(try Self.rsa2048().keyRecord() == "v=DKIM1; k=rsa; p=" + String(DKIMTestData.record("2048_testkey_wo_markers.pub.txt")
            .split(separator: "p=").last!))
        #expect(try DKIMSigningKey(text: DKIMTestData.text("test.private")).keyType == .rsa)
        #expect(try DKIMSigningKey(text: DKIMTestData.record("ed25519test.key")).keyType == .ed25519)
        #expect(throws: CryptoError.self) { try DKIMSigningKey(text: "not a key") }
    }

    /// Ed25519 is deterministic: the same input, the same signature.
    @Test func ed25519SignaturesAreDeterministic() throws {
        let key = try DKIMTestData.ed25519Key()
        let first = try DKIMTestData.sign(Self.message, key: key)
        let second = try DKIMTestData.sign(Self.message, key: key)
        #expect(first == second)
    }

    @Test func tagsWritten() throws {
        var options = DKIMSignerOptions(domain: "example.com", selector: "test", identity: "joe@mail.example.com",
                                        headerCanonicalization: .simple, bodyCanonicalization: .relaxed,
                                        signedHeaders: ["From", "To", "Subject", "X-Missing"], overSignedHeaders: ["from", "x-missing"],
                                        expiresAfter: 600, includeBodyLength: true, foldWidth: 0,
                                        clock: .fixed(1_700_000_000))
        var output = try DKIMSigner.sign(message: Self.message, key: Self.rsa2048(), options: options)
        let value = output.value
        #expect(!value.contains("\r\n"))
        #expect(value.hasPrefix("v=1; a=rsa-sha256; c=simple/relaxed; d=example.com; s=test; i=joe@mail.example.com; "
                                + "t=1700000000; x=1700000600; l=22; h=from:from:to:subject:x-missing; bh="))
        let tags = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(tags.filter { $0.hasPrefix("b=") }.count == 1)
        let results = DKIMVerifier.verify(message: output.headerBytes + Self.message, resolver: try Self.zone(Self.rsa2048()),
                                          options: DKIMVerifierOptions(clock: .fixed(1_700_000_100)))
        #expect(results.map(\.detail) == ["pass"])
        #expect(results[0].overSignedHeaders == ["from", "x-missing"])
        // Expired by the time it is checked.
        let late = DKIMVerifier.verify(message: output.headerBytes + Self.message, resolver: try Self.zone(Self.rsa2048()),
                                       options: DKIMVerifierOptions(clock: .fixed(1_700_000_601)))
        #expect(late.map(\.detail) == ["invalid (signature is expired)"])

        options.includeTimestamp = false
        options.expiresAfter = nil
        options.identity = nil
        output = try DKIMSigner.sign(message: Self.message, key: Self.rsa2048(), options: options)
        #expect(!output.value.contains("t="))
        #expect(!output.value.contains("i="))
    }

    /// The folded layout keeps lines within the width, folds with CRLF TAB,
    /// and verifies with simple header canonicalization (so the layout is
    /// exactly what was signed).
    @Test func foldingLayout() throws {
        for width in [40, 78, 200] {
            var options = DKIMSignerOptions(domain: "example.com", selector: "test", headerCanonicalization: .simple,
                                            bodyCanonicalization: .simple, foldWidth: width, clock: DKIMTestData.clock)
            options.signedHeaders = DKIMSignerOptions.defaultSignedHeaders
            let output = try DKIMSigner.sign(message: Self.message, key: Self.rsa2048(), options: options)
            let lines = ("DKIM-Signature: " + output.value).components(separatedBy: "\r\n")
            #expect(lines.count > 1 || width == 200)
            for (index, line) in lines.enumerated() {
                if index > 0 { #expect(line.hasPrefix("\t")) }
                // Whole tokens may overflow only when one alone is wider.
                #expect(line.replacingOccurrences(of: "\t", with: "        ").count <= max(width, 60), "\(line)")
            }
            #expect(DKIMTestData.verify(output.headerBytes + Self.message, try Self.zone(Self.rsa2048())).map(\.detail) == ["pass"])
            #expect(output.value(lineEnding: "\n") == output.value.replacingOccurrences(of: "\r\n", with: "\n"))
        }
    }

    /// Feeding the body in pieces gives the same signature as one piece.
    @Test func streamingBody() throws {
        let key = try DKIMTestData.ed25519Key()
        let options = DKIMSignerOptions(domain: "example.com", selector: "test", clock: DKIMTestData.clock)
        let whole = try DKIMSigner.sign(message: Self.message, key: key, options: options)
        let (fields, bodyStart) = MessageHeaderSplitter.split(Self.message)
        let signer = try DKIMSigner(key: key, options: options)
        for field in fields {
            let value = String(decoding: field.value.dropFirst(), as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
            signer.header(name: field.nameText, value: value)
        }
        signer.endOfHeaders()
        for byte in Self.message[bodyStart...] { signer.body([byte]) }
        #expect(try signer.finish() == whole)
        #expect(try signer.finish() == whole)
    }

    @Test func refusals() throws {
        let message = Self.message
        let rsa = try Self.rsa2048()
        #expect(DKIMSignerError.invalidSelector("bad selector").code == .invalidSelector)
        #expect(throws: DKIMSignerError.invalidSelector("bad selector")) {
            _ = try DKIMTestData.sign(message, key: rsa, selector: "bad selector")
        }
        #expect(throws: DKIMSignerError.invalidIdentity("joe@example.org")) {
            _ = try DKIMTestData.sign(message, key: rsa) { $0.identity = "joe@example.org" }
        }
        #expect(throws: DKIMSignerError.invalidIdentity("joe")) {
            _ = try DKIMTestData.sign(message, key: rsa) { $0.identity = "joe" }
        }
        #expect(throws: DKIMSignerError.algorithmDoesNotMatchKey(.ed25519SHA256)) {
            _ = try DKIMTestData.sign(message, key: rsa) { $0.algorithm = .ed25519SHA256 }
        }
        #expect(throws: DKIMSignerError.algorithmDoesNotMatchKey(.rsaSHA256)) {
            _ = try DKIMTestData.sign(message, key: DKIMTestData.ed25519Key()) { $0.algorithm = .rsaSHA256 }
        }
        #expect(throws: DKIMSignerError.fromNotSigned) {
            _ = try DKIMTestData.sign(message, key: rsa) { $0.signedHeaders = ["to", "subject"] }
        }
        #expect("\(DKIMSignerError.noFromHeader)" == "the message has no From header field")
    }

    /// rsa-sha1 only on request (RFC 8301 forbids signing with it), and
    /// then the verifier refuses it unless told otherwise.
    @Test func sha1OnlyOnRequest() throws {
        let signed = try DKIMTestData.sign(Self.message, key: Self.rsa2048()) { $0.algorithm = .rsaSHA1 }
        #expect(String(decoding: signed, as: UTF8.self).contains("a=rsa-sha1;"))
        let dns = try Self.zone(Self.rsa2048())
        #expect(DKIMTestData.verify(signed, dns).map(\.detail) == ["invalid (unsupported algorithm rsa-sha1)"])
        #expect(DKIMTestData.verify(signed, dns, options: DKIMVerifierOptions(allowSHA1: true, clock: DKIMTestData.clock))
                    .map(\.detail) == ["pass"])
    }
}
