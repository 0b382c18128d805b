import Config
import Foundation
import Handlers
import JSON
import MailAuth
import Milter
import TestSupport
import Testing

/// The DKIM handler: the Perl program's keys and defaults, and its `dkim=`
/// entries for each kind of signature, over the dkimpy vectors.
@Suite struct DKIMHandlerTests {
    typealias Data = DKIMHandlerTestData

    static func handler(_ config: String = "{}") throws -> DKIMHandler {
        try DKIMHandler(config: JSONParser.parse(config))
    }

    /// Runs `message` and returns the entries written.
    static func entries(_ message: [UInt8], zone: InMemoryDNSResolver, config: String = "{}",
                        chunkSize: Int = 4096) throws -> [String] {
        let session = MailSession(resolver: zone)
        try Data.run(handler(config), session, message: message, chunkSize: chunkSize)
        return Data.entries(session)
    }

    @Test func defaultsAndKeysAreThePerlOnes() throws {
        #expect(DKIMHandler.configKeys == ["hide_none", "hide_domainkeys", "check_adsp", "show_default_adsp",
                                           "adsp_hide_none", "extra_properties", "no_strict"])
        let handler = try Self.handler(DKIMHandler.defaultConfigJSON)
        #expect(!handler.hideNone && !handler.hideDomainKeys && handler.checkADSP && !handler.showDefaultADSP)
        #expect(!handler.adspHideNone && !handler.extraProperties && !handler.noStrict)
        #expect(handler.verifierOptions.minimumRSAKeyBits == 1024 && !handler.verifierOptions.allowSHA1)
        // A missing key is Perl's run-time default too.
        #expect(try Self.handler().checkADSP)
        let set = try Self.handler(#"{"hide_none": 1, "hide_domainkeys": "1", "check_adsp": 0, "show_default_adsp": true, "#
                                   + #""adsp_hide_none": 1, "extra_properties": 1, "no_strict": 1}"#)
        #expect(set.hideNone && set.hideDomainKeys && !set.checkADSP && set.showDefaultADSP)
        #expect(set.adspHideNone && set.extraProperties && set.noStrict)
        #expect(set.verifierOptions.minimumRSAKeyBits == 0 && set.verifierOptions.allowSHA1)
        #expect(throws: ConfigurationError.self) { try Self.handler(#"{"hide_none": "yes"}"#) }
        #expect(DKIMHandler.helpText.contains("DKIM") && DKIMHandler.helpText.contains("extra_properties"))
    }

    @Test func ed25519AndRSAPass() throws {
        // RFC 8463's example: an Ed25519 and an RSA signature.
        let session = MailSession(resolver: try Data.zone())
        let handler = try Self.handler()
        try Data.run(handler, session, message: Data.bytes("rfc6376.signed.msg"))
        #expect(Data.entries(session) == [
            "dkim=pass (256-bit ed25519 key sha256) header.d=football.example.com header.i=@football.example.com "
                + "header.b=9/dsDChY header.a=ed25519-sha256 header.s=brisbane",
            "dkim=pass (1024-bit rsa key sha256) header.d=football.example.com header.i=@football.example.com "
                + "header.b=icKcLSEZ header.a=rsa-sha256 header.s=test",
        ])
        #expect(handler.results(in: session).map(\.perlResult) == ["pass", "pass"])
        #expect(handler.passingDomains(in: session) == ["football.example.com"])
        #expect(handler.hasSignatures(in: session))
    }

    @Test func rsa2048PassIsThePerlLayout() throws {
        let signature = try DKIMSigner.sign(message: Data.bytes("test.message"), key: Data.rsa2048Key(),
                                            options: DKIMSignerOptions(domain: "example.com", selector: "s2048",
                                                                       clock: Data.clock))
        var zone = InMemoryDNSResolver()
        zone.add("s2048._domainkey.example.com", Data.txt(try Data.rsa2048Key().keyRecord()))
        let entries = try Self.entries(signature.headerBytes + Data.bytes("test.message"), zone: zone)
        #expect(entries == ["dkim=pass (2048-bit rsa key sha256) header.d=example.com header.i=@example.com "
                            + "header.b=\(Data.headerB(signature)) header.a=rsa-sha256 header.s=s2048"])
    }

    @Test func alteredBodyFails() throws {
        let message = try Data.bytes("rfc6376.signed.rsa.msg") + Array("P.S. one more line\n".utf8)
        #expect(try Self.entries(message, zone: Data.zone()) == [
            "dkim=fail (body has been altered, 1024-bit rsa key sha256) header.d=football.example.com "
                + "header.i=@football.example.com header.b=icKcLSEZ header.a=rsa-sha256 header.s=test",
        ])
    }

    @Test func alteredHeaderFails() throws {
        var text = try Data.text("rfc6376.signed.rsa.msg")
        text = text.replacingOccurrences(of: "Subject: Is dinner ready?", with: "Subject: Is lunch ready?")
        #expect(try Self.entries(Array(text.utf8), zone: Data.zone()) == [
            "dkim=fail (message has been altered, 1024-bit rsa key sha256) header.d=football.example.com "
                + "header.i=@football.example.com header.b=icKcLSEZ header.a=rsa-sha256 header.s=test",
        ])
    }

    @Test func invalidKeysAreInvalidWithoutKeyData() throws {
        let message = try Data.signed(Data.bytes("test.message"), key: Data.rsaKey())
        let b = Data.headerB(try DKIMSigner.sign(message: Data.bytes("test.message"), key: Data.rsaKey(),
                                                 options: DKIMSignerOptions(domain: "example.com", selector: "test",
                                                                            clock: Data.clock)))
        // The newest Perl release names an unloaded key's type "unknown"
        // (comment and header.a), since 3.20230629.
        let properties = "header.d=example.com header.i=@example.com header.b=\(b) header.a=unknown-sha256 header.s=test"
        var badType = InMemoryDNSResolver()
        badType.add("test._domainkey.example.com", Data.txt(try Data.record("badk.txt")))
        #expect(try Self.entries(message, zone: badType)
                    == ["dkim=invalid (public key: unsupported key type, unknown key sha256) \(properties)"])
        var badVersion = InMemoryDNSResolver()
        badVersion.add("test._domainkey.example.com", Data.txt(try Data.record("badversion.txt")))
        #expect(try Self.entries(message, zone: badVersion)
                    == ["dkim=invalid (public key: unsupported version, unknown key sha256) \(properties)"])
        // (An empty zone: without check_adsp off, example.com's absence
        // would add ADSP's NXDOMAIN policy.)
        #expect(try Self.entries(message, zone: InMemoryDNSResolver(), config: #"{"check_adsp": 0}"#)
                    == ["dkim=invalid (public key: not available, unknown key sha256) \(properties)"])
        var revoked = InMemoryDNSResolver()
        revoked.add("test._domainkey.example.com", .txt("v=DKIM1; p="))
        #expect(try Self.entries(message, zone: revoked) == ["dkim=invalid (public key: revoked, unknown key sha256) \(properties)"])
    }

    @Test func keyLookupFailuresAreInvalidAsInPerl() throws {
        // Mail::DKIM reports a failed key lookup as an invalid signature;
        // the Perl milter writes that word, not temperror.
        let message = try Data.bytes("rfc6376.signed.rsa.msg")
        let properties = "header.d=football.example.com header.i=@football.example.com header.b=icKcLSEZ "
            + "header.a=unknown-sha256 header.s=test"
        var servfail = InMemoryDNSResolver()
        servfail.markServfail("test._domainkey.football.example.com")
        #expect(try Self.entries(message, zone: servfail, config: #"{"check_adsp": 0}"#)
                    == ["dkim=invalid (public key: DNS error: SERVFAIL, unknown key sha256) \(properties)"])
        var timeout = InMemoryDNSResolver()
        timeout.markTimeout("test._domainkey.football.example.com")
        #expect(try Self.entries(message, zone: timeout, config: #"{"check_adsp": 0}"#)
                    == ["dkim=invalid (public key: DNS error: query timed out, unknown key sha256) \(properties)"])
    }

    @Test func unsignedMessage() throws {
        let message = try Data.bytes("test.message")
        #expect(try Self.entries(message, zone: InMemoryDNSResolver()) == ["dkim=none (no signatures found)"])
        #expect(try Self.entries(message, zone: InMemoryDNSResolver(), config: #"{"hide_none": 1}"#) == [])
        // No DNS for an unsigned message, not even for policies.
        var zone = InMemoryDNSResolver()
        zone.markServfail("_adsp._domainkey.example.com", type: .txt)
        #expect(try Self.entries(message, zone: zone) == ["dkim=none (no signatures found)"])
    }

    @Test func onlyUnparseableSignatures() throws {
        // Mail::DKIM lists no signature for a field that is not a tag list;
        // hide_none does not hide this.
        let message = Array("DKIM-Signature: garbage here\r\n".utf8) + (try Data.bytes("test.message"))
        let handler = try Self.handler(#"{"hide_none": 1, "check_adsp": 0}"#)
        let session = MailSession(resolver: InMemoryDNSResolver())
        try Data.run(handler, session, message: message)
        #expect(Data.entries(session) == ["dkim=invalid (no signatures found)"])
        #expect(handler.results(in: session).isEmpty && handler.passingDomains(in: session).isEmpty && handler.hasSignatures(in: session))
    }

    @Test func severalSignaturesEachGetAnEntry() throws {
        // A passing signature by example.com over a failing one (body
        // altered after signing) by football.example.com, plus one that
        // cannot be parsed (left out, as Mail::DKIM leaves it out).
        let base = try Data.bytes("test.message")
        let first = try Data.signed(base, key: Data.rsaKey(), domain: "football.example.com")
        let second = try DKIMSigner.sign(message: first + Array("tampered\n".utf8), key: Data.rsaKey(),
                                         options: DKIMSignerOptions(domain: "example.com", selector: "test", clock: Data.clock))
        let message = Array("DKIM-Signature: not a tag list\r\n".utf8) + second.headerBytes + first + Array("tampered\n".utf8)
        let firstB = Data.headerB(try DKIMSigner.sign(message: base, key: Data.rsaKey(),
                                                      options: DKIMSignerOptions(domain: "football.example.com",
                                                                                 selector: "test", clock: Data.clock)))
        let session = MailSession(resolver: try Data.zone())
        let handler = try Self.handler()
        try Data.run(handler, session, message: message)
        #expect(Data.entries(session) == [
            "dkim=pass (1024-bit rsa key sha256) header.d=example.com header.i=@example.com "
                + "header.b=\(Data.headerB(second)) header.a=rsa-sha256 header.s=test",
            "dkim=fail (body has been altered, 1024-bit rsa key sha256) header.d=football.example.com "
                + "header.i=@football.example.com header.b=\(firstB) header.a=rsa-sha256 header.s=test",
        ])
        #expect(handler.results(in: session).map(\.domain) == ["example.com", "football.example.com"])
        #expect(handler.passingDomains(in: session) == ["example.com"])
    }

    @Test func extraPropertiesAddTheKeySize() throws {
        let config = #"{"extra_properties": 1, "check_adsp": 0}"#
        #expect(try Self.entries(Data.bytes("rfc6376.signed.msg"), zone: Data.zone(), config: config) == [
            "dkim=pass (256-bit ed25519 key sha256) header.d=football.example.com header.i=@football.example.com "
                + "header.b=9/dsDChY header.a=ed25519-sha256 header.s=brisbane x-bits=256",
            "dkim=pass (1024-bit rsa key sha256) header.d=football.example.com header.i=@football.example.com "
                + "header.b=icKcLSEZ header.a=rsa-sha256 header.s=test x-bits=1024",
        ])
        #expect(try Self.entries(Data.bytes("rfc6376.signed.rsa.msg"), zone: InMemoryDNSResolver(), config: config) == [
            "dkim=invalid (public key: not available, unknown key sha256) header.d=football.example.com "
                + "header.i=@football.example.com header.b=icKcLSEZ header.a=unknown-sha256 header.s=test x-bits=0",
        ])
    }

    @Test func noStrictAcceptsSHA1() throws {
        let base = try Data.bytes("test.message")
        let signature = try DKIMSigner.sign(message: base, key: Data.rsaKey(),
                                            options: DKIMSignerOptions(domain: "example.com", selector: "test",
                                                                       algorithm: .rsaSHA1, clock: Data.clock))
        let message = signature.headerBytes + base
        let b = Data.headerB(signature)
        #expect(try Self.entries(message, zone: Data.zone()) == [
            "dkim=invalid (unsupported algorithm rsa-sha1) header.d=example.com header.i=@example.com "
                + "header.b=\(b) header.a=rsa-sha1 header.s=test",
        ])
        #expect(try Self.entries(message, zone: Data.zone(), config: #"{"no_strict": 1}"#) == [
            "dkim=pass (1024-bit rsa key sha1) header.d=example.com header.i=@example.com "
                + "header.b=\(b) header.a=rsa-sha1 header.s=test",
        ])
    }

    @Test func oneByteChunksAndExactHeaderBytes() throws {
        // Simple canonicalization hashes the fields as sent: a Latin-1
        // Subject (not UTF-8) must reach the verifier byte for byte.
        var base = try Data.bytes("test.message")
        let subject = Array("Subject: Testing".utf8)
        let at = try #require(base.firstRange(of: subject))
        base.replaceSubrange(at, with: Array("Subject: Caf".utf8) + [0xE9])
        let signature = try DKIMSigner.sign(message: base, key: Data.rsaKey(),
                                            options: DKIMSignerOptions(domain: "example.com", selector: "test",
                                                                       headerCanonicalization: .simple,
                                                                       bodyCanonicalization: .simple, clock: Data.clock))
        let entries = try Self.entries(signature.headerBytes + base, zone: Data.zone(), chunkSize: 1)
        #expect(entries.count == 1)
        #expect(entries.first?.hasPrefix("dkim=pass (1024-bit rsa key sha256) header.d=example.com") == true)
    }

    @Test func resultsAreForgottenWithTheMessage() throws {
        let session = MailSession(resolver: try Data.zone())
        let handler = try Self.handler()
        try Data.run(handler, session, message: Data.bytes("rfc6376.signed.msg"))
        #expect(handler.passingDomains(in: session) == ["football.example.com"])
        session.resetMessage()
        #expect(handler.results(in: session).isEmpty && handler.passingDomains(in: session).isEmpty && !handler.hasSignatures(in: session))
    }

    @Test func throughTheDispatcher() throws {
        // The A-R header as the dispatcher writes it, headers sent as the
        // milter protocol carries them.
        let harness = Harness(handlers: [try Self.handler()], resolver: try Data.zone())
        harness.openConnection()
        let message = try Data.bytes("rfc6376.signed.rsa.msg")
        let (fields, bodyStart) = MessageHeaderSplitter.split(message)
        let headers = fields.map { field in
            let raw = Data.milterForm(field)
            return (String(decoding: raw.name, as: UTF8.self), String(decoding: raw.value, as: UTF8.self))
        }
        let replies = harness.sendMessage(from: "<joe@football.example.com>", headers: headers,
                                          body: String(decoding: message[bodyStart...], as: UTF8.self))
        #expect(replies.contains(.insertHeader(index: 1, name: "Authentication-Results", value: """
            mx.example.net;
                dkim=pass (1024-bit rsa key sha256) header.d=football.example.com header.i=@football.example.com \
            header.b=icKcLSEZ header.a=rsa-sha256 header.s=test
            """)))
    }
}
