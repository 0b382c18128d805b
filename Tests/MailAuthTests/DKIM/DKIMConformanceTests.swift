import MailAuth
import TestSupport
import Testing

/// dkimpy's end-to-end cases (dkim/tests/test_dkim.py, test_dkim_ed25519.py,
/// test_dkim_rsavariants.py) over its published vectors, with the DNS
/// answers its tests serve. dkimpy checks the first signature only; these
/// check every signature, and also the Mail::DKIM-style detail.
@Suite(.requiresConformanceData(.dkim)) struct DKIMConformanceTests {
    // MARK: RFC 6376 / RFC 8463 examples

    /// rfc6376.signed.msg carries an Ed25519 signature (RFC 8463 appendix A,
    /// key rfc8032_7_1.key) and an RSA one (test.private), both over the
    /// RFC 6376 appendix A message: both pass.
    @Test func rfc8463ExampleBothSignaturesPass() throws {
        let results = try DKIMTestData.verify(DKIMTestData.bytes("rfc6376.signed.msg"), DKIMTestData.standardZone())
        #expect(results.count == 2)
        #expect(results.map(\.detail) == ["pass", "pass"])
        #expect(results[0].algorithm == "ed25519-sha256")
        #expect(results[0].keyType == "ed25519")
        #expect(results[0].keyBits == 256)
        #expect(results[0].selector == "brisbane")
        #expect(results[0].headerB == "9/dsDChY")
        #expect(results[1].algorithm == "rsa-sha256")
        #expect(results[1].keyBits == 1024)
        #expect(results[1].headerB == "icKcLSEZ")
        for result in results {
            #expect(result.domain == "football.example.com")
            #expect(result.identity == "@football.example.com")
            #expect(result.canonicalization == "simple/simple")
            // h= lists from, subject and date twice: over-signed.
            #expect(result.overSignedHeaders == ["from", "subject", "date"])
        }
    }

    @Test func rfc6376RSAExamplePasses() throws {
        let results = try DKIMTestData.verify(DKIMTestData.bytes("rfc6376.signed.rsa.msg"), DKIMTestData.standardZone())
        #expect(results.map(\.detail) == ["pass"])
        #expect(results[0].timestamp == 1_527_915_362)
    }

    /// The same signature with t= removed (and x= added) no longer matches
    /// the header hash.
    @Test func rfc6376WithoutTimestampFails() throws {
        let results = try DKIMTestData.verify(DKIMTestData.bytes("rfc6376.signed.no_t.msg"), DKIMTestData.standardZone())
        #expect(results.map(\.detail) == ["fail (message has been altered)"])
        #expect(results[0].result == .fail)
    }

    /// test_double_verifies / test_double_previous_verifies: a third
    /// signature added on top of the two keeps all three passing.
    @Test func addingASignatureKeepsEarlierOnesPassing() throws {
        let signed = try DKIMTestData.bytes("rfc6376.signed.msg")
        for (header, body) in DKIMTestData.canonicalizations {
            let resigned = try DKIMTestData.sign(signed, key: DKIMTestData.rsaKey(), domain: "football.example.com",
                                                 header: header, body: body)
            let results = try DKIMTestData.verify(resigned, DKIMTestData.standardZone())
            #expect(results.map(\.result) == [.pass, .pass, .pass], "\(header)/\(body)")
        }
    }

    /// test_verify_third_party: signed by the prototype Exim Ed25519
    /// implementation, with `d=test.ex` folded before its semicolon, and
    /// To and Subject signed though absent.
    @Test func eximEd25519SignatureVerifies() throws {
        let results = try DKIMTestData.verify(DKIMTestData.bytes("ed25519test2.msg"), DKIMTestData.standardZone())
        #expect(results.map(\.detail) == ["pass"])
        #expect(results[0].domain == "test.ex")
        #expect(results[0].overSignedHeaders == ["to", "subject"])
    }

    /// test_degenerate_folding: gmail's 2013 signature with `h=` folded
    /// before a colon and a space inside `b=`.
    @Test func degenerateFoldingVerifies() throws {
        let results = try DKIMTestData.verify(DKIMTestData.bytes("test2.message"), DKIMTestData.standardZone())
        #expect(results.map(\.detail) == ["pass"])
        #expect(results[0].keyBits == 2048)
        #expect(results[0].signedHeaders.count == 9)
    }

    // MARK: Bad key records and domains

    /// test_bad_version: `v=DKIM1:` makes the version tag "DKIM1: g=*".
    @Test func badVersionKeyRecordFails() throws {
        let dns = try DKIMTestData.zone(["test._domainkey.example.com": DKIMTestData.record("badversion.txt")])
        for (header, body) in DKIMTestData.canonicalizations {
            let signed = try DKIMTestData.sign(DKIMTestData.bytes("test.message"), key: DKIMTestData.rsaKey(),
                                               header: header, body: body)
            let results = DKIMTestData.verify(signed, dns)
            #expect(results.map(\.detail) == ["invalid (public key: unsupported version)"])
            #expect(results[0].result == .permerror)
        }
    }

    /// test_unknown_k: `k=ed25519-sha256` is no key type.
    @Test func unknownKeyTypeFails() throws {
        let dns = try DKIMTestData.zone(["test._domainkey.example.com": DKIMTestData.record("badk.txt")])
        let signed = try DKIMTestData.sign(DKIMTestData.bytes("test.message"), key: DKIMTestData.rsaKey())
        let results = DKIMTestData.verify(signed, dns)
        #expect(results.map(\.detail) == ["invalid (public key: unsupported key type)"])
        #expect(results[0].result == .permerror)
    }

    /// test_invalid_domain_verify: `d=legitimate.com(.attacker.com` is
    /// refused before any lookup, even though a key exists at that name.
    @Test func invalidDomainFails() throws {
        let dns = try DKIMTestData.zone(["test._domainkey.legitimate.com(.attacker.com": DKIMTestData.record("test.txt")])
        let results = try DKIMTestData.verify(DKIMTestData.bytes("test.message.baddomain"), dns)
        #expect(results.map(\.detail) == ["invalid (invalid domain in d tag)"])
        #expect(results[0].result == .permerror)
        #expect(results[0].domain == "legitimate.com(.attacker.com")
    }

    /// test_invalid_domain_sign and test_badly_encoded_domain_fails: our
    /// signer refuses such domains outright.
    @Test func signerRefusesInvalidDomains() throws {
        let message = try DKIMTestData.bytes("test.message")
        for domain in ["legitimate.com(.attacker.com", "example.com\u{e9}", "", "a..b", "example.com."] {
            #expect(throws: DKIMSignerError.invalidDomain(domain)) {
                _ = try DKIMTestData.sign(message, key: DKIMTestData.rsaKey(), domain: domain)
            }
        }
    }

    /// test_catch_bad_key: a corrupted key record.
    @Test func corruptedKeyFails() throws {
        let good = try DKIMTestData.record("test.txt")
        // Drop one base64 character from the middle of p=.
        var corrupted = Array(good)
        corrupted.remove(at: corrupted.count - 60)
        let dns = DKIMTestData.zone(["test._domainkey.football.example.com": String(corrupted)])
        let results = try DKIMTestData.verify(DKIMTestData.bytes("rfc6376.signed.rsa.msg"), dns)
        #expect(results.count == 1)
        #expect(results[0].result == .permerror)
        #expect(results[0].detail.hasPrefix("invalid (public key: "))
    }

    /// test_bad.txt differs from test.txt in its last bytes: a key that
    /// still loads but is not the signer's.
    @Test func wrongKeyFails() throws {
        let dns = try DKIMTestData.zone(["test._domainkey.football.example.com": DKIMTestData.record("test_bad.txt")])
        let results = try DKIMTestData.verify(DKIMTestData.bytes("rfc6376.signed.rsa.msg"), dns)
        #expect(results.count == 1)
        #expect(results[0].result != .pass)
    }

    // MARK: Sign then verify (test.message, test.private)

    @Test func signedTestMessageVerifies() throws {
        let message = try DKIMTestData.bytes("test.message")
        for (header, body) in DKIMTestData.canonicalizations {
            let signed = try DKIMTestData.sign(message, key: DKIMTestData.rsaKey(), header: header, body: body)
            let results = try DKIMTestData.verify(signed, DKIMTestData.standardZone())
            #expect(results.map(\.detail) == ["pass"], "\(header)/\(body)")
            #expect(results[0].canonicalization == "\(header.rawValue)/\(body.rawValue)")
        }
    }

    /// test_implicit_k: test2.txt has no k= tag; rsa is the default.
    @Test func keyWithoutKTagIsRSA() throws {
        let dns = try DKIMTestData.zone(["test._domainkey.example.com": DKIMTestData.record("test2.txt")])
        let signed = try DKIMTestData.sign(DKIMTestData.bytes("test.message"), key: DKIMTestData.rsaKey())
        #expect(DKIMTestData.verify(signed, dns).map(\.detail) == ["pass"])
    }

    /// test_verifies_nosig: no signature, no result.
    @Test func unsignedMessageHasNoResults() throws {
        #expect(try DKIMTestData.verify(DKIMTestData.bytes("test.message"), DKIMTestData.standardZone()).isEmpty)
    }

    /// test_simple_signature / test_string_include: the RFC 6376
    /// recommended list, or From alone.
    @Test func chosenHeaderListsVerify() throws {
        let message = try DKIMTestData.bytes("test.message")
        for list in [["from"], DKIMSignerOptions.defaultSignedHeaders + ["sender", "content-id"]] {
            let signed = try DKIMTestData.sign(message, key: DKIMTestData.rsaKey()) { $0.signedHeaders = list }
            #expect(try DKIMTestData.verify(signed, DKIMTestData.standardZone()).map(\.detail) == ["pass"])
        }
    }

    /// test_add_body_length and test_l_verify: l= is the canonical body
    /// length; text appended afterwards is not covered.
    @Test func bodyLengthTag() throws {
        let message = try DKIMTestData.bytes("test.message")
        for (header, body) in DKIMTestData.canonicalizations {
            let signed = try DKIMTestData.sign(message, key: DKIMTestData.rsaKey(), header: header, body: body) {
                $0.includeBodyLength = true
            }
            #expect(String(decoding: signed, as: UTF8.self).contains("l=25;"))
            let appended = signed + Array("added more text\n".utf8)
            let results = try DKIMTestData.verify(appended, DKIMTestData.standardZone())
            #expect(results.map(\.detail) == ["pass"])
            #expect(results[0].bodyLengthLimit == 25)
            #expect(results[0].unsignedBodyBytes == 17)
        }
    }

    /// test_altered_body_fails.
    @Test func alteredBodyFails() throws {
        let message = try DKIMTestData.bytes("test.message")
        for (header, body) in DKIMTestData.canonicalizations {
            let signed = try DKIMTestData.sign(message, key: DKIMTestData.rsaKey(), header: header, body: body)
            let results = try DKIMTestData.verify(signed + Array("foo".utf8), DKIMTestData.standardZone())
            #expect(results.map(\.detail) == ["fail (body has been altered)"])
        }
    }

    /// test_dkim_signature_canonicalization: folding added inside b=
    /// (spaces, then a tab) is ignored even with simple header
    /// canonicalization, because the whole b= value is left out of the
    /// hash.
    @Test func refoldingTheSignatureValueIsHarmless() throws {
        let message = Array("From: mbp@canonical.com\r\nTo: scottk@example.com\r\nSubject: this is my\r\n    test message\r\n".utf8)
        for header in Canonicalization.allCases {
            var options = DKIMSignerOptions(domain: "example.com", selector: "test", headerCanonicalization: header,
                                            bodyCanonicalization: .relaxed, foldWidth: 0, clock: DKIMTestData.clock)
            options.signedHeaders = ["from", "to", "subject"]
            let output = try DKIMSigner.sign(message: message, key: DKIMTestData.rsaKey(), options: options)
            // Fold b= every 20 characters, the last fold with a tab.
            let parts = output.value.components(separatedBy: "b=")
            let signature = Array(parts.last!)
            var folded = ""
            for (index, character) in signature.enumerated() {
                if index > 0 && index % 20 == 0 { folded += index + 20 >= signature.count ? "\r\n\t" : "\r\n " }
                folded.append(character)
            }
            let value = parts.dropLast().joined(separator: "b=") + "b=" + folded
            let signed = Array("DKIM-Signature: \(value)\r\n".utf8) + message
            #expect(try DKIMTestData.verify(signed, DKIMTestData.standardZone()).map(\.detail) == ["pass"], "\(header)")
        }
    }

    /// test_extra_headers: every field of a real message signed, repeated
    /// Received fields included.
    @Test func everyFieldOfARealMessageSigned() throws {
        let message = try DKIMTestData.bytes("message.mbox")
        let names = MessageHeaderSplitter.split(message).fields.map { String(decoding: $0.lowercasedName, as: UTF8.self) }
        for (header, body) in DKIMTestData.canonicalizations {
            let signed = try DKIMTestData.sign(message, key: DKIMTestData.rsaKey(), header: header, body: body) {
                $0.signedHeaders = names
                $0.overSignedHeaders = []
            }
            let results = try DKIMTestData.verify(signed, DKIMTestData.standardZone())
            // The message also has its own 2011 kitterman.com signature,
            // whose key is not in the zone.
            #expect(results.map(\.detail) == ["pass", "invalid (public key: not available)"])
            #expect(results[0].signedHeaders.filter { $0 == "received" }.count == names.filter { $0 == "received" }.count)
        }
    }

    /// test_multiple_from_fails: an unsigned new field is fine, a second
    /// From above or below is not (From is over-signed).
    @Test func addedFromFails() throws {
        let message = try DKIMTestData.bytes("test.message")
        let text = String(decoding: message, as: UTF8.self)
        let split = text.range(of: "\n\n")!
        let head = String(text[..<split.lowerBound])
        let rest = String(text[split.lowerBound...])
        for (header, body) in DKIMTestData.canonicalizations {
            let signature = try DKIMSigner.sign(message: message, key: DKIMTestData.rsaKey(), options: DKIMSignerOptions(
                domain: "example.com", selector: "test", headerCanonicalization: header, bodyCanonicalization: body,
                clock: DKIMTestData.clock)).headerBytes
            let dns = try DKIMTestData.standardZone()
            let withFoo = signature + Array((head + "\nX-Foo: bar" + rest).utf8)
            #expect(DKIMTestData.verify(withFoo, dns).map(\.result) == [.pass])
            let evil = "From: \"Resident Evil\" <sales@spammer.com>"
            let below = signature + Array((head + "\n" + evil + rest).utf8)
            #expect(DKIMTestData.verify(below, dns).map(\.detail) == ["fail (message has been altered)"])
            let above = signature + Array((evil + "\n" + head + rest).utf8)
            #expect(DKIMTestData.verify(above, dns).map(\.detail) == ["fail (message has been altered)"])
        }
    }

    /// test_no_from_fails: From is mandatory.
    @Test func messageWithoutFromCannotBeSigned() throws {
        let message = try DKIMTestData.bytes("test_nofrom.message")
        let rsa = try DKIMTestData.rsaKey(), ed25519 = try DKIMTestData.ed25519Key()
        #expect(throws: DKIMSignerError.noFromHeader) {
            _ = try DKIMTestData.sign(message, key: rsa)
        }
        #expect(throws: DKIMSignerError.noFromHeader) {
            _ = try DKIMTestData.sign(message, key: ed25519, domain: "example.net")
        }
    }

    /// test_non_utf8: a Windows-1258 message is signed and verifies (dkimpy
    /// 1.1 cannot; bytes are bytes here).
    @Test func nonUTF8MessageVerifies() throws {
        let message = try DKIMTestData.bytes("rfc6376.w1258.msg")
        for (header, body) in DKIMTestData.canonicalizations {
            let signed = try DKIMTestData.sign(message, key: DKIMTestData.rsaKey(), domain: "football.example.com",
                                               header: header, body: body)
            #expect(try DKIMTestData.verify(signed, DKIMTestData.standardZone()).map(\.detail) == ["pass"])
        }
    }

    // MARK: Ed25519 (test_dkim_ed25519.py)

    @Test func ed25519SignedMessageVerifies() throws {
        let message = try DKIMTestData.bytes("ed25519test.msg")
        for (header, body) in DKIMTestData.canonicalizations {
            let signed = try DKIMTestData.sign(message, key: DKIMTestData.ed25519Key(), domain: "example.net",
                                               header: header, body: body)
            let results = try DKIMTestData.verify(signed, DKIMTestData.standardZone())
            #expect(results.map(\.detail) == ["pass"], "\(header)/\(body)")
            #expect(results[0].algorithm == "ed25519-sha256")
        }
    }

    /// test_rfc8032_verifies: the RFC 8032 key (RFC 8463's example key)
    /// signs the RFC 6376 message verifiably, and its public half is the
    /// one RFC 8463 publishes at brisbane.
    @Test func rfc8032KeySignsLikeRFC8463() throws {
        let key = try DKIMSigningKey(ed25519Seed: DKIMTestData.record("rfc8032_7_1.key"))
        #expect(try key.keyRecord() == "v=DKIM1; k=ed25519; p=\(DKIMTestData.rfc8032PublicKey)")
        let message = try DKIMTestData.bytes("rfc6376.msg")
        for (header, body) in DKIMTestData.canonicalizations {
            let signed = try DKIMTestData.sign(message, key: key, domain: "football.example.com", selector: "brisbane",
                                               header: header, body: body)
            #expect(try DKIMTestData.verify(signed, DKIMTestData.standardZone()).map(\.detail) == ["pass"])
        }
    }

    /// The Ed25519 test key file and its published record belong together.
    @Test func ed25519TestKeyMatchesItsRecord() throws {
        #expect(try DKIMTestData.ed25519Key().keyRecord() == "v=DKIM1; " + DKIMTestData.record("ed25519test.dns"))
    }

    // MARK: RSA key variants (test_dkim_rsavariants.py)

    /// The 1024- and 2048-bit keys with their published records.
    @Test func rsaKeyVariantsVerify() throws {
        let message = try DKIMTestData.bytes("test.message")
        for (keyFile, recordFile, bits) in [("1024_testkey.key", "1024_testkey_wo_markers.pub.txt", 1024),
                                            ("2048_testkey.key", "2048_testkey_wo_markers.pub.txt", 2048)] {
            let key = try DKIMSigningKey(pem: DKIMTestData.text(keyFile))
            let dns = try DKIMTestData.zone(["test._domainkey.example.com": DKIMTestData.record(recordFile)])
            for (header, body) in DKIMTestData.canonicalizations {
                let signed = try DKIMTestData.sign(message, key: key, header: header, body: body)
                let results = DKIMTestData.verify(signed, dns)
                #expect(results.map(\.detail) == ["pass"], "\(keyFile) \(header)/\(body)")
                #expect(results.first?.keyBits == bits)
            }
        }
    }

    /// A bare PKCS #1 RSAPublicKey in p= (dkimpy's *.pub.rsa.txt variant)
    /// is accepted too.
    @Test func pkcs1PublicKeyVerifies() throws {
        let key = try DKIMSigningKey(pem: DKIMTestData.text("2048_testkey.key"))
        let spki = try key.privateKey.publicKey().dkimPublicKeyData
        // SubjectPublicKeyInfo for RSA: 24 bytes of header (2048-bit),
        // then the BIT STRING's content after its unused-bits byte.
        let pkcs1 = Array(spki.dropFirst(24))
        #expect(pkcs1.first == 0x30)
        let dns = DKIMTestData.zone(["test._domainkey.example.com": "v=DKIM1; k=rsa; p=\(CryptoBase64.encode(pkcs1))"])
        let signed = try DKIMTestData.sign(DKIMTestData.bytes("test.message"), key: key)
        #expect(DKIMTestData.verify(signed, dns).map(\.detail) == ["pass"])
    }
}
