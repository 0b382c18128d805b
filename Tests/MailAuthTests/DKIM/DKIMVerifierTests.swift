import MailAuth
import TestSupport
import Testing

/// Every result and detail the verifier produces, one case each, plus the
/// feeding API (milter-form fields, streamed body, one DNS batch).
@Suite struct DKIMVerifierTests {
    static let message = Array("From: Joe <joe@example.com>\r\nTo: Suzie <suzie@example.net>\r\nSubject: dinner\r\n\r\nHi.\r\n".utf8)

    /// A message whose only signature field is `DKIM-Signature: <value>`.
    static func withSignature(_ value: String) -> [UInt8] {
        Array("DKIM-Signature: \(value)\r\n".utf8) + message
    }

    /// Tags that pass every check up to the key lookup; each case below
    /// breaks one.
    static let valid = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=test; h=from:to:subject; bh=AAAA; b=AAAA"

    // MARK: Signature tags

    /// `valid` with one substring replaced.
    static func edit(_ old: String, _ new: String) -> String {
        valid.replacingOccurrences(of: old, with: new)
    }

    /// `valid` with more tags after it.
    static func plus(_ tags: String) -> String {
        valid + tags
    }

    static let tagCases: [(String, String)] = [
        (edit("v=1", "v=2"), "invalid (unsupported version 2)"),
        (edit("v=1; ", ""), "invalid (missing v tag)"),
        (edit("rsa-sha256", "rsa-md5"), "invalid (unsupported algorithm rsa-md5)"),
        (edit("a=rsa-sha256; ", ""), "invalid (unsupported algorithm)"),
        (edit("rsa-sha256", "RSA-SHA1"), "invalid (unsupported algorithm rsa-sha1)"),
        (edit("relaxed/relaxed", "foo"), "invalid (unsupported canonicalization foo/simple)"),
        (edit("relaxed/relaxed", "relaxed/Bar"), "invalid (unsupported canonicalization relaxed/bar)"),
        (plus("; q=http/get"), "invalid (unsupported query protocol, q=http/get)"),
        (plus("; x=1000"), "invalid (signature is expired)"),
        (plus("; x=soon"), "invalid (invalid x tag)"),
        (edit("d=example.com; ", ""), "invalid (missing d tag)"),
        (edit("d=example.com", "d="), "invalid (invalid domain in d tag)"),
        (edit("d=example.com", "d=exa mple.com"), "invalid (invalid domain in d tag)"),
        (edit("s=test; ", ""), "invalid (missing s tag)"),
        (edit("s=test", "s=te/st"), "invalid (invalid selector in s tag)"),
        (edit("; b=AAAA", ""), "invalid (missing b tag)"),
        (edit("b=AAAA", "b=AA!A"), "invalid (invalid b tag)"),
        (edit("b=AAAA", "b="), "invalid (invalid b tag)"),
        (edit("bh=AAAA; ", ""), "invalid (missing bh tag)"),
        (edit("bh=AAAA", "bh=A"), "invalid (invalid bh tag)"),
        (edit("h=from:to:subject; ", ""), "invalid (missing h tag)"),
        (edit("h=from:to:subject", "h=to:subject"), "invalid (From field not signed)"),
        (plus("; l=lots"), "invalid (invalid l tag)"),
        (plus("; t=now"), "invalid (invalid t tag)"),
        (plus("; t=2000000000; x=1900000000"), "invalid (x tag is before t tag)"),
        (plus("; i=joe@example.org"), "invalid (bad identity)"),
        (plus("; i=example.com"), "invalid (bad identity)"),
        (plus("; i=joe@notexample.com"), "invalid (bad identity)"),
        (plus("; d=example.org"), "invalid (duplicate d tag)"),
        (plus("; garbage"), "invalid (syntax error)"),
        (plus("; 9x=1"), "invalid (syntax error)"),
    ]

    @Test(arguments: tagCases)
    func signatureTagProblems(value: String, expected: String) throws {
        let results = try DKIMTestData.verify(Self.withSignature(value), DKIMTestData.standardZone())
        #expect(results.map(\.detail) == [expected])
        #expect(results.first?.result == .permerror)
    }

    /// Mail::DKIM leaves a field that is not a tag list out of its list;
    /// the result says so, and still reports what little it can.
    @Test func unparseableSignatureIsMarked() throws {
        let results = try DKIMTestData.verify(Self.withSignature("this is not a tag list"), DKIMTestData.standardZone())
        #expect(results.count == 1)
        #expect(!results[0].isParseable)
        #expect(results[0].domain == nil)
        #expect(results[0].headerB == "")
        let parsed = try DKIMTestData.verify(Self.withSignature(Self.valid + "; x=1000"), DKIMTestData.standardZone())
        #expect(parsed[0].isParseable)
        #expect(parsed[0].domain == "example.com")
        #expect(parsed[0].identity == "@example.com")
        #expect(parsed[0].selector == "test")
        #expect(parsed[0].headerB == "AAAA")
        #expect(parsed[0].algorithm == "rsa-sha256")
        #expect(parsed[0].hashAlgorithm == "sha256")
        #expect(parsed[0].keyBits == nil)
        #expect(parsed[0].keyType == nil)
    }

    @Test func identityQuotedPrintableIsDecoded() throws {
        let results = try DKIMTestData.verify(Self.withSignature(Self.valid + "; x=1000; i=jo=3Be@Example.COM"),
                                              DKIMTestData.standardZone())
        #expect(results[0].identity == "jo;e@Example.COM")
    }

    // MARK: Key records

    static func signed(key: DKIMSigningKey? = nil, identity: String? = nil, algorithm: DKIMAlgorithm? = nil) throws -> [UInt8] {
        try DKIMTestData.sign(message, key: key ?? DKIMTestData.rsaKey()) {
            $0.identity = identity
            $0.algorithm = algorithm
        }
    }

    static func verifySigned(record: String?, outcome: DNSOutcome? = nil, identity: String? = nil,
                             options: DKIMVerifierOptions = DKIMVerifierOptions(clock: DKIMTestData.clock)) throws -> DKIMSignatureResult {
        var dns = InMemoryDNSResolver()
        if let record { dns.add("test._domainkey.example.com", DKIMTestData.txt(record)) }
        if let outcome { dns.set(outcome, for: "test._domainkey.example.com", type: .txt) }
        let results = DKIMTestData.verify(try signed(identity: identity), dns, options: options)
        return results[0]
    }

    static let testKey = "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/"
        + "byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"

    static let keyCases: [(String, String)] = [
        ("v=DKIM1; p=", "invalid (public key: revoked)"),
        ("v=DKIM1; k=rsa", "invalid (public key: missing p= tag)"),
        ("v=DKIM1; p=!!notbase64", "invalid (public key: invalid data)"),
        ("v=DKIM2; p=\(testKey)", "invalid (public key: unsupported version)"),
        ("v=DKIM1; k=dsa; p=\(testKey)", "invalid (public key: unsupported key type)"),
        ("v=DKIM1; p", "invalid (public key: syntax error)"),
        ("v=DKIM1; p=\(testKey); p=\(testKey)", "invalid (public key: syntax error)"),
        ("v=DKIM1; s=tlsrpt; p=\(testKey)", "invalid (public key: does not support email)"),
        ("v=DKIM1; h=sha1; p=\(testKey)", "invalid (public key: does not support hash algorithm 'sha256')"),
        ("v=DKIM1; k=ed25519; p=\(DKIMTestData.rfc8032PublicKey)", "invalid (public key: key type does not match algorithm)"),
    ]

    @Test(arguments: keyCases)
    func keyRecordProblems(record: String, expected: String) throws {
        let result = try Self.verifySigned(record: record)
        #expect(result.detail == expected)
        #expect(result.result == .permerror)
    }

    @Test func keyThatDoesNotDecodeIsAnOpenSSLError() throws {
        let result = try Self.verifySigned(record: "v=DKIM1; p=AAAAAAAA")
        #expect(result.detail.hasPrefix("invalid (public key: OpenSSL error: "))
        #expect(result.result == .permerror)
    }

    static let acceptableRecords: [String] = [
        "v=DKIM1; p=\(testKey)",
        "p=\(testKey)",
        "v=DKIM1; k=rsa; s=email:tlsrpt; h=sha1:sha256; t=s; n=notes; p=\(testKey)",
        "v=DKIM1; s=*; g=*; p=\"\(testKey)\"",
    ]

    @Test(arguments: acceptableRecords)
    func acceptableKeyRecords(record: String) throws {
        #expect(try Self.verifySigned(record: record).detail == "pass")
    }

    static let lookupCases: [(DNSOutcome, String, DKIMResult)] = [
        (.nxdomain, "invalid (public key: not available)", .permerror),
        (.nodata, "invalid (public key: not available)", .permerror),
        (.answer([.txt("")], ttl: 60), "invalid (public key: not available)", .permerror),
        (.servfail, "invalid (public key: DNS error: SERVFAIL)", .temperror),
        (.timeout, "invalid (public key: DNS error: query timed out)", .temperror),
        (.error("REFUSED"), "invalid (public key: DNS error: REFUSED)", .temperror),
    ]

    @Test(arguments: lookupCases)
    func keyLookupOutcomes(outcome: DNSOutcome, expected: String, result: DKIMResult) throws {
        let verdict = try Self.verifySigned(record: nil, outcome: outcome)
        #expect(verdict.detail == expected)
        #expect(verdict.result == result)
    }

    @Test func testingFlagIsReported() throws {
        let result = try Self.verifySigned(record: "v=DKIM1; t=y; p=\(Self.testKey)")
        #expect(result.detail == "pass")
        #expect(result.testing)
        #expect(try !Self.verifySigned(record: "v=DKIM1; p=\(Self.testKey)").testing)
    }

    /// `t=s`: the identity's domain must be `d=` itself.
    @Test func strictSubdomainFlag() throws {
        let record = "v=DKIM1; t=s; p=\(Self.testKey)"
        #expect(try Self.verifySigned(record: record, identity: "@example.com").detail == "pass")
        #expect(try Self.verifySigned(record: record, identity: "joe@EXAMPLE.com").detail == "pass")
        #expect(try Self.verifySigned(record: record, identity: "joe@mail.example.com").detail
                == "invalid (public key: does not support signing subdomains)")
        #expect(try Self.verifySigned(record: "v=DKIM1; p=\(Self.testKey)", identity: "joe@mail.example.com").detail == "pass")
    }

    /// RFC 8301 section 3.2, configurable: Mail::DKIM's wording, RFC 8601's
    /// policy result.
    @Test func minimumKeySize() throws {
        let record = "v=DKIM1; p=\(Self.testKey)"
        let strict = DKIMVerifierOptions(minimumRSAKeyBits: 2048, clock: DKIMTestData.clock)
        let result = try Self.verifySigned(record: record, options: strict)
        #expect(result.detail == "fail (Key length 1024 too short)")
        #expect(result.result == .policy)
        #expect(result.keyBits == 1024)
        #expect(result.keyType == "rsa")
        #expect(try Self.verifySigned(record: record).detail == "pass")
    }

    /// RFC 8301 section 3.1: rsa-sha1 has failed, unless the operator
    /// asks for the old behaviour (the Perl handler's no_strict).
    @Test func rsaSHA1() throws {
        let signed = try Self.signed(algorithm: .rsaSHA1)
        let dns = try DKIMTestData.standardZone()
        let strict = DKIMTestData.verify(signed, dns)
        #expect(strict.map(\.detail) == ["invalid (unsupported algorithm rsa-sha1)"])
        #expect(strict[0].result == .permerror)
        #expect(strict[0].hashAlgorithm == "sha1")
        let lenient = DKIMVerifierOptions(minimumRSAKeyBits: 0, allowSHA1: true, clock: DKIMTestData.clock)
        #expect(DKIMTestData.verify(signed, dns, options: lenient).map(\.detail) == ["pass"])
        var onlySHA256 = InMemoryDNSResolver()
        onlySHA256.add("test._domainkey.example.com", DKIMTestData.txt("v=DKIM1; h=sha256; p=\(Self.testKey)"))
        #expect(DKIMTestData.verify(signed, onlySHA256, options: lenient).map(\.detail)
                == ["invalid (public key: does not support hash algorithm 'sha1')"])
    }

    // MARK: Cryptographic failures

    @Test func tamperedHeaderFails() throws {
        let dns = try DKIMTestData.standardZone()
        for (key, domain, expected) in [(try DKIMTestData.rsaKey(), "example.com", "fail (message has been altered)"),
                                        (try DKIMTestData.ed25519Key(), "example.net", "fail (bad Ed25519 signature)")] {
            for (header, body) in DKIMTestData.canonicalizations {
                let signed = try DKIMTestData.sign(Self.message, key: key, domain: domain, header: header, body: body)
                let text = String(decoding: signed, as: UTF8.self)
                let tampered = Array(text.replacingOccurrences(of: "Subject: dinner", with: "Subject: lunch").utf8)
                let results = DKIMTestData.verify(tampered, dns)
                #expect(results.map(\.detail) == [expected])
                #expect(results[0].result == .fail)
                // Whitespace changes survive relaxed header canonicalization only.
                let respaced = Array(text.replacingOccurrences(of: "Subject: dinner", with: "Subject:  dinner ").utf8)
                #expect(DKIMTestData.verify(respaced, dns).map(\.result) == [header == .relaxed ? .pass : .fail])
            }
        }
    }

    @Test func tamperedBodyFails() throws {
        let dns = try DKIMTestData.standardZone()
        for (key, domain) in [(try DKIMTestData.rsaKey(), "example.com"), (try DKIMTestData.ed25519Key(), "example.net")] {
            for (header, body) in DKIMTestData.canonicalizations {
                let signed = try DKIMTestData.sign(Self.message, key: key, domain: domain, header: header, body: body)
                let text = String(decoding: signed, as: UTF8.self)
                let tampered = Array(text.replacingOccurrences(of: "Hi.", with: "Ho.").utf8)
                #expect(DKIMTestData.verify(tampered, dns).map(\.detail) == ["fail (body has been altered)"])
                // Trailing whitespace and empty lines: relaxed body ignores both, simple only the lines.
                let padded = signed + Array("\r\n\r\n".utf8)
                #expect(DKIMTestData.verify(padded, dns).map(\.result) == [.pass])
                let spaced = Array(text.replacingOccurrences(of: "Hi.", with: "Hi.  ").utf8)
                #expect(DKIMTestData.verify(spaced, dns).map(\.result) == [body == .relaxed ? .pass : .fail])
            }
        }
    }

    /// An l= longer than the body can never match: the signer hashed
    /// bytes that are gone.
    @Test func bodyShorterThanLengthTagFails() throws {
        let signed = try DKIMTestData.sign(Self.message, key: DKIMTestData.rsaKey()) { $0.includeBodyLength = true }
        let truncated = Array(String(decoding: signed, as: UTF8.self).replacingOccurrences(of: "Hi.\r\n", with: "Hi").utf8)
        #expect(try DKIMTestData.verify(truncated, DKIMTestData.standardZone()).map(\.detail) == ["fail (body has been altered)"])
        #expect(try DKIMTestData.verify(signed, DKIMTestData.standardZone()).first?.unsignedBodyBytes == nil)
    }

    /// A b= that is base64 but not a signature by this key.
    @Test func garbageSignatureIsABadRSASignature() throws {
        let signed = String(decoding: try Self.signed(), as: UTF8.self)
        let range = signed.range(of: "b=", options: .backwards)!
        let header = signed[..<range.upperBound]
        let rest = signed[range.upperBound...]
        let afterSignature = rest[rest.range(of: "\r\nFrom:")!.lowerBound...]
        let garbage = CryptoBase64.encode([UInt8](repeating: 0x42, count: 128))
        let forged = Array((header + garbage + afterSignature).utf8)
        #expect(try DKIMTestData.verify(forged, DKIMTestData.standardZone()).map(\.detail) == ["fail (bad RSA signature)"])
    }

    // MARK: Several signatures


    /// RFC 8616 section 3: an internationalized message may write `d=`,
    /// `s=` and `i=` in U-labels; they are checked, and the key asked for,
    /// in A-labels, and the result keeps `d=` as written. (The bogus `b=`
    /// then fails the signature itself, after the key was found.)
    @Test func uLabelNamesAreLookedUpInALabels() throws {
        var zone = try DKIMTestData.standardZone()
        zone.add("tëst._domainkey.xn--bcher-kva.example", .txt("v=DKIM1; p="))
        zone.add("xn--tst-jma._domainkey.xn--bcher-kva.example", .txt("v=DKIM1; p="))
        let resolver = RecordingResolver(zone)
        let value = Self.edit("d=example.com; s=test", "d=bücher.example; s=tëst") + "; i=usér@mail.Bücher.example"
        let results = DKIMVerifier.verify(message: Self.withSignature(value), resolver: resolver,
                                          options: DKIMVerifierOptions(clock: DKIMTestData.clock))
        #expect(results.map(\.detail) == ["invalid (public key: revoked)"])
        #expect(results.first?.domain == "bücher.example")
        #expect(resolver.batches.flatMap { $0 }.map(\.name) == ["xn--tst-jma._domainkey.xn--bcher-kva.example"])
        // Not a valid IDN: refused before any lookup, as before.
        let bad = try DKIMTestData.verify(Self.withSignature(Self.edit("d=example.com", "d=b\u{200D}ücher.example")),
                                          DKIMTestData.standardZone())
        #expect(bad.map(\.detail) == ["invalid (invalid domain in d tag)"])
    }

    @Test func eachSignatureHasItsOwnResultAndKeysComeInOneBatch() throws {
        var zone = try DKIMTestData.standardZone()
        zone.markServfail("broken._domainkey.example.com")
        let base = try DKIMTestData.sign(Self.message, key: DKIMTestData.ed25519Key(), domain: "example.net")
        let second = try DKIMTestData.sign(base, key: DKIMTestData.rsaKey(), header: .simple, body: .simple)
        let third = try DKIMTestData.sign(second, key: DKIMTestData.rsaKey(), selector: "broken")
        let fourth = try DKIMTestData.sign(third, key: DKIMTestData.rsaKey())   // same key name as the second
        let tampered = Array(String(decoding: fourth, as: UTF8.self).replacingOccurrences(of: "Hi.", with: "Ho.").utf8)
        let resolver = RecordingResolver(zone)
        let results = DKIMVerifier.verify(message: fourth, resolver: resolver,
                                          options: DKIMVerifierOptions(clock: DKIMTestData.clock))
        #expect(results.map(\.detail) == ["pass", "invalid (public key: DNS error: SERVFAIL)", "pass", "pass"])
        #expect(results.map(\.result) == [.pass, .temperror, .pass, .pass])
        #expect(results.map(\.selector) == ["test", "broken", "test", "test"])
        #expect(resolver.batches.count == 1)
        #expect(resolver.batches[0].map(\.name) == ["test._domainkey.example.com", "broken._domainkey.example.com",
                                                    "test._domainkey.example.net"])
        let broken = DKIMVerifier.verify(message: tampered, resolver: zone, options: DKIMVerifierOptions(clock: DKIMTestData.clock))
        #expect(broken.map(\.detail) == ["fail (body has been altered)", "invalid (public key: DNS error: SERVFAIL)",
                                         "fail (body has been altered)", "fail (body has been altered)"])
    }

    @Test func signaturesBeyondTheCapAreIgnored() throws {
        var stacked = Self.message
        for index in 0..<5 { stacked = Array("DKIM-Signature: \(Self.valid); x=\(index)\r\n".utf8) + stacked }
        let options = DKIMVerifierOptions(maximumSignatures: 3, clock: DKIMTestData.clock)
        let results = try DKIMTestData.verify(stacked, DKIMTestData.standardZone(), options: options)
        #expect(results.count == 3)
    }

    // MARK: Feeding

    /// The milter hands fields over one by one, values without the space
    /// after the colon and with LF line ends; the body comes in chunks of
    /// any size. A simple/simple signature still verifies.
    @Test func milterFormFieldsAndTinyChunks() throws {
        let folded = Array("From: Joe <joe@example.com>\r\nSubject: a long\r\n\tsubject\r\n\r\nline one\r\n\r\nline  two \r\n\r\n\r\n".utf8)
        let dns = try DKIMTestData.standardZone()
        for (header, body) in DKIMTestData.canonicalizations {
            let signed = try DKIMTestData.sign(folded, key: DKIMTestData.rsaKey(), header: header, body: body)
            let (fields, bodyStart) = MessageHeaderSplitter.split(signed)
            for chunkSize in [1, 2, 3, 7, 1000] {
                let verifier = DKIMVerifier(resolver: dns, options: DKIMVerifierOptions(clock: DKIMTestData.clock))
                for field in fields {
                    var value = field.value
                    #expect(value.first == 0x20)
                    value.removeFirst()
                    let milterValue = String(decoding: value, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
                    verifier.header(name: field.nameText, value: milterValue)
                }
                #expect(verifier.hasSignatures)
                verifier.endOfHeaders()
                #expect(verifier.needsBody)
                var index = bodyStart
                while index < signed.count {
                    let end = min(index + chunkSize, signed.count)
                    verifier.body(signed[index..<end])
                    index = end
                }
                #expect(verifier.finish().map(\.detail) == ["pass"], "\(header)/\(body) chunk \(chunkSize)")
                #expect(verifier.finish().map(\.detail) == ["pass"])
            }
        }
    }

    /// LF-only and CRLF copies of a message verify the same.
    @Test func lineEndsDoNotMatter() throws {
        let lf = Array(String(decoding: Self.message, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n").utf8)
        let dns = try DKIMTestData.standardZone()
        for (header, body) in DKIMTestData.canonicalizations {
            let signedLF = try DKIMTestData.sign(lf, key: DKIMTestData.rsaKey(), header: header, body: body)
            let asCRLF = Array(String(decoding: signedLF, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
                .replacingOccurrences(of: "\n", with: "\r\n").utf8)
            #expect(DKIMTestData.verify(signedLF, dns).map(\.detail) == ["pass"])
            #expect(DKIMTestData.verify(asCRLF, dns).map(\.detail) == ["pass"])
        }
    }

    @Test func decidedSignaturesNeedNoBody() throws {
        let verifier = DKIMVerifier(resolver: try DKIMTestData.standardZone(), options: DKIMVerifierOptions(clock: DKIMTestData.clock))
        #expect(!verifier.hasSignatures)
        #expect(!verifier.needsBody)
        let (fields, _) = MessageHeaderSplitter.split(Self.withSignature(Self.valid + "; x=1000"))
        for field in fields { verifier.header(field) }
        #expect(verifier.hasSignatures)
        verifier.endOfHeaders()
        #expect(!verifier.needsBody)
        verifier.body(Array("ignored".utf8))
        #expect(verifier.finish().map(\.detail) == ["invalid (signature is expired)"])
    }

    /// Results describe the signature even when it passes.
    @Test func passingResultFields() throws {
        let signed = try DKIMTestData.sign(Self.message, key: DKIMTestData.rsaKey()) {
            $0.identity = "joe@mail.example.com"
            $0.expiresAfter = 3600
        }
        let result = try DKIMTestData.verify(signed, DKIMTestData.standardZone())[0]
        #expect(result.detail == "pass")
        #expect(result.reason == nil)
        #expect(result.perlResult == "pass")
        #expect(result.identity == "joe@mail.example.com")
        #expect(result.timestamp == 1_577_836_800)
        #expect(result.expiration == 1_577_840_400)
        // Each present field once, plus once more for the over-signed names.
        #expect(result.signedHeaders == ["from", "from", "reply-to", "subject", "subject", "date", "to", "to", "cc",
                                         "message-id", "mime-version", "content-type", "content-transfer-encoding"])
        #expect(result.isOverSigned)
        #expect(result.overSignedHeaders.contains("from"))
        #expect(!result.testing)
        #expect(result.unsignedBodyBytes == nil)
        #expect(result.canonicalization == "relaxed/relaxed")
    }
}
