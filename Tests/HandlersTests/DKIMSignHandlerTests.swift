import Config
import Foundation
import Handlers
import JSON
import MailAuth
import Milter
import TestSupport
import Testing

/// DKIMSign: which messages it signs, that its signatures verify (with
/// the library's verifier and through the DKIM handler), and that a bad
/// key is refused with a message naming it.
@Suite struct DKIMSignHandlerTests {
    typealias Data = DKIMHandlerTestData

    /// A JSON string literal (the PEM text inline).
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// RSA-2048 from its file and the Ed25519 key inline, both for example.com.
    static func dualConfig(extra: String = "") throws -> String {
        """
        {\(extra)
           "sign" : [
              { "domain" : "example.com", "selector" : "rsa", "key_file" : \(quoted(try Data.path("2048_testkey.key"))) },
              { "domain" : "example.com", "selector" : "ed", "key" : \(quoted(try Data.record("ed25519test.key"))),
                "algorithm" : "ed25519-sha256" }
           ]
        }
        """
    }

    static func handler(_ config: String) throws -> DKIMSignHandler {
        let handler = try DKIMSignHandler(config: JSONParser.parse(config))
        handler.clock = Data.clock
        return handler
    }

    static func zone() throws -> InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        dns.add("rsa._domainkey.example.com", Data.txt(try Data.rsa2048Key().keyRecord()))
        dns.add("ed._domainkey.example.com", Data.txt(try Data.ed25519Key().keyRecord()))
        return dns
    }

    static let message = Array("""
        From: Test User <test@example.com>\r
        To: somebody@example.net\r
        Subject: Signed on the way out\r
        Date: Mon, 01 Jan 2024 01:02:03 +0000\r
        Message-ID: <out@example.com>\r
        \r
        Hello,\r
        \r
        this goes out signed.\r
        """.utf8)

    /// Runs `message` through `handler` for a client as `prepare` sets it
    /// up; returns the DKIM-Signature values it prepended.
    static func signatures(_ handler: DKIMSignHandler, message: [UInt8] = message,
                           prepare: (MailSession) -> Void = { $0.isAuthenticated = true }) throws -> [String] {
        let session = MailSession(resolver: InMemoryDNSResolver())
        prepare(session)
        try Data.run(handler, session, message: message)
        #expect(session.prependedHeaders.allSatisfy { $0.name == "DKIM-Signature" })
        return session.prependedHeaders.map(\.value)
    }

    /// The message as the MTA writes it out: the new fields on top, CRLF.
    static func delivered(_ signatures: [String], _ message: [UInt8] = message) -> [UInt8] {
        signatures.reversed().flatMap { Array("DKIM-Signature: \($0.replacingOccurrences(of: "\n", with: "\r\n"))\r\n".utf8) }
            + message
    }

    @Test func defaultsAndKeys() throws {
        #expect(DKIMSignHandler.configKeys == ["only_authenticated", "sign"])
        let handler = try DKIMSignHandler(config: JSONParser.parse(DKIMSignHandler.defaultConfigJSON))
        #expect(handler.onlyAuthenticated && handler.signingKeys.isEmpty)
        #expect(try Self.signatures(handler).isEmpty)
        #expect(DKIMSignHandler.helpText.contains("DKIMSign") && DKIMSignHandler.helpText.contains("from_domains"))
        let dual = try Self.handler(Self.dualConfig(extra: #" "only_authenticated": 0,"#))
        #expect(!dual.onlyAuthenticated)
        #expect(dual.signingKeys.map { "\($0.domain)/\($0.selector)" } == ["example.com/rsa", "example.com/ed"])
    }

    @Test func signaturesVerify() throws {
        let handler = try Self.handler(Self.dualConfig())
        let values = try Self.signatures(handler)
        #expect(values.count == 2)
        #expect(values[0].hasPrefix("v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=rsa;"))
        #expect(values[1].hasPrefix("v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.com; s=ed;"))
        #expect(values.allSatisfy { !$0.contains("\r") && $0.contains("\n\t") })
        let results = DKIMVerifier.verify(message: Self.delivered(values), resolver: try Self.zone(),
                                          options: DKIMVerifierOptions(clock: Data.clock))
        #expect(results.map(\.detail) == ["pass", "pass"])
        #expect(Set(results.compactMap(\.selector)) == ["rsa", "ed"])
        #expect(results.allSatisfy { $0.canonicalization == "relaxed/relaxed" })
        #expect(results.allSatisfy { $0.signedHeaders.filter { $0 == "from" }.count == 2 })
    }

    @Test func signaturesPassTheDKIMHandler() throws {
        let values = try Self.signatures(Self.handler(Self.dualConfig()))
        let session = MailSession(resolver: try Self.zone())
        let verify = try DKIMHandler(config: JSONParser.parse(#"{"check_adsp": 0}"#))
        try Data.run(verify, session, message: Self.delivered(values), chunkSize: 7)
        let b = values.map { value in
            String(value.filter { !$0.isWhitespace }.components(separatedBy: ";b=")[1].prefix(8))
        }
        #expect(Set(Data.entries(session)) == [
            "dkim=pass (2048-bit rsa key sha256) header.d=example.com header.i=@example.com header.b=\(b[0]) "
                + "header.a=rsa-sha256 header.s=rsa",
            "dkim=pass (256-bit ed25519 key sha256) header.d=example.com header.i=@example.com header.b=\(b[1]) "
                + "header.a=ed25519-sha256 header.s=ed",
        ])
        #expect(verify.passingDomains(in: session) == ["example.com"])
    }

    @Test func whoIsSigned() throws {
        let strict = try Self.handler(Self.dualConfig())
        #expect(try Self.signatures(strict) { _ in }.isEmpty)
        #expect(try Self.signatures(strict) { $0.isLocalIP = true }.isEmpty)
        #expect(try Self.signatures(strict) { $0.isTrustedIP = true }.isEmpty)
        let loose = try Self.handler(Self.dualConfig(extra: #" "only_authenticated": 0,"#))
        #expect(try Self.signatures(loose) { $0.isLocalIP = true }.count == 2)
        #expect(try Self.signatures(loose) { $0.isTrustedIP = true }.count == 2)
        #expect(try Self.signatures(loose) { _ in }.isEmpty)
        // Another From domain is not signed, with any client.
        var other = String(decoding: Self.message, as: UTF8.self)
        other = other.replacingOccurrences(of: "test@example.com", with: "test@example.org")
        #expect(try Self.signatures(strict, message: Array(other.utf8)).isEmpty)
    }

    @Test func fromDomainPatterns() throws {
        let key = Self.quoted(try Data.path("2048_testkey.key"))
        func signs(_ patterns: String, from: String) throws -> Bool {
            let handler = try Self.handler("""
                { "sign" : [ { "domain" : "example.com", "selector" : "rsa", "key_file" : \(key),
                               "from_domains" : \(patterns) } ] }
                """)
            let text = String(decoding: Self.message, as: UTF8.self).replacingOccurrences(of: "test@example.com", with: from)
            return try !Self.signatures(handler, message: Array(text.utf8)).isEmpty
        }
        #expect(try signs(#"["*.example.com"]"#, from: "a@mail.example.com"))
        #expect(try !signs(#"["*.example.com"]"#, from: "a@example.com"))
        #expect(try signs(#"["Example.COM.", "example.org"]"#, from: "a@EXAMPLE.org"))
        #expect(try signs(#"["*"]"#, from: "a@anything.example"))
        #expect(try !signs(#"["example.org"]"#, from: "a@example.com"))
        // A signature whose d= is not the From domain verifies all the same.
        let handler = try Self.handler("""
            { "sign" : [ { "domain" : "example.com", "selector" : "rsa", "key_file" : \(key), "from_domains" : ["*"] } ] }
            """)
        let text = String(decoding: Self.message, as: UTF8.self).replacingOccurrences(of: "test@example.com", with: "x@example.org")
        let message = Array(text.utf8)
        let values = try Self.signatures(handler, message: message)
        let results = DKIMVerifier.verify(message: Self.delivered(values, message), resolver: try Self.zone())
        #expect(results.map(\.detail) == ["pass"])
    }

    @Test func throughTheDispatcher() throws {
        // Auth marks the client authenticated at MAIL FROM; the signature
        // is inserted at the top at the end of the message.
        let auth = try AuthHandler(config: JSONParser.parse("{}"))
        let harness = Harness(handlers: [auth, try Self.handler(Self.dualConfig())])
        harness.openConnection()
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "{auth_authen}", value: "test")]))
        let replies = harness.sendMessage(from: "<test@example.com>",
                                          headers: [("From", "Test User <test@example.com>"), ("Subject", "Hi")],
                                          body: "Hello\r\n")
        let inserted = replies.compactMap { reply -> String? in
            if case .insertHeader(1, "DKIM-Signature", let value) = reply { return value }
            return nil
        }
        #expect(inserted.count == 2)
        let message = Array("From: Test User <test@example.com>\r\nSubject: Hi\r\n\r\nHello\r\n".utf8)
        let results = DKIMVerifier.verify(message: Self.delivered(inserted.reversed(), message), resolver: try Self.zone())
        #expect(results.map(\.detail) == ["pass", "pass"])
    }

    // MARK: Configuration errors

    static func error(_ config: String) -> ConfigurationError? {
        do {
            _ = try DKIMSignHandler(config: JSONParser.parse(config))
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func missingKeyFileNamesTheKey() throws {
        let error = try #require(Self.error("""
            { "sign" : [ { "domain" : "example.com", "selector" : "s1", "key_file" : "/nonexistent/dkim/s1.pem" } ] }
            """))
        #expect(error.keyPath == "sign[0].key_file")
        #expect(error.message == "cannot read the key for example.com (selector s1) from /nonexistent/dkim/s1.pem: "
                + "No such file or directory")
    }

    @Test func badKeysAndEntriesAreRefused() throws {
        let rsa = Self.quoted(try Data.path("2048_testkey.key"))
        let notAKey = Self.quoted(try Data.path("test.message"))
        let cases: [(config: String, keyPath: String, says: String)] = [
            (#"{ "sign" : [ { "domain" : "example.com", "selector" : "s1" } ] }"#,
             "sign[0]", "the key for example.com (selector s1) is missing"),
            (#"{ "sign" : [ { "domain" : "example.com", "selector" : "s1", "key_file" : \#(rsa), "key" : "x" } ] }"#,
             "sign[0]", "not both"),
            (#"{ "sign" : [ { "domain" : "example.com", "selector" : "s1", "key_file" : \#(notAKey) } ] }"#,
             "sign[0].key_file", "does not hold a usable private key (the key for example.com (selector s1))"),
            (#"{ "sign" : [ { "domain" : "example.com", "selector" : "s1", "key" : "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" } ] }"#,
             "sign[0].key", "not a usable private key"),
            (#"{ "sign" : [ { "selector" : "s1", "key_file" : \#(rsa) } ] }"#, "sign[0]", "needs \"domain\""),
            (#"{ "sign" : [ { "domain" : "example.com", "key_file" : \#(rsa) } ] }"#, "sign[0]", "needs \"selector\""),
            (#"{ "sign" : [ { "domain" : "example.com", "selector" : "s1", "key_file" : \#(rsa), "keyfile" : "x" } ] }"#,
             "sign[0].keyfile", "unknown key"),
            (#"{ "sign" : [ { "domain" : "example.com", "selector" : "s1", "key_file" : \#(rsa), "algorithm" : "rsa-sha1" } ] }"#,
             "sign[0].algorithm", "unsupported signing algorithm rsa-sha1"),
            (#"{ "sign" : [ { "domain" : "example.com", "selector" : "s1", "key_file" : \#(rsa), "algorithm" : "ed25519-sha256" } ] }"#,
             "sign[0].algorithm", "ed25519-sha256 needs an Ed25519 key"),
            (#"{ "sign" : [ { "domain" : "exa mple.com", "selector" : "s1", "key_file" : \#(rsa) } ] }"#,
             "sign[0]", "cannot sign with the key for exa mple.com"),
            (#"{ "sign" : [ { "domain" : "example.com", "selector" : "s1", "key_file" : \#(rsa), "from_domains" : ["a*b"] } ] }"#,
             "sign[0].from_domains", "not a domain pattern"),
            (#"{ "sign" : { "domain" : "example.com" } }"#, "sign", "expected an array"),
            (#"{ "sign" : [ "example.com" ] }"#, "sign[0]", "expected an object"),
        ]
        for (config, keyPath, says) in cases {
            let error = try #require(Self.error(config), "\(config) was accepted")
            #expect(error.keyPath == keyPath, "\(config)")
            #expect(error.message.contains(says), "\(error.message)")
        }
    }

    @Test func shortRSAKeysAreRefused() throws {
        // The 1024-bit test key is the minimum RFC 8301 allows.
        let key = Self.quoted(try Data.text("test.private"))
        let handler = try Self.handler(#"{ "sign" : [ { "domain" : "example.com", "selector" : "test", "key" : \#(key) } ] }"#)
        #expect(handler.signingKeys.count == 1)
        // A throwaway 512-bit key (openssl genpkey, rsa_keygen_bits:512).
        let short = Self.quoted("""
            -----BEGIN PRIVATE KEY-----
            MIIBVAIBADANBgkqhkiG9w0BAQEFAASCAT4wggE6AgEAAkEAq/l17gdByXyoDgjn
            VbkWyKGLRmPwCcM8Zsw2rsz7Uz+Nchmo+89q025m1ejvXM8UvXBPuKVzxRlmEqU6
            clq4WwIDAQABAkBqwWoGv/SDymFcjQRmP4a4NygJI0LAHLVjLwQHEPI3I2hwsepi
            aBFIY9/2SvNG9tfIrtNR+aCU+fWyx0vG9orJAiEA3/itOHRhl6+wBfLwQExTAGCt
            hJ5Lo6UWIyZ9BTID0I8CIQDEkT0ZpUwCsiSnykE7wP12W/oPlGuhR4uivalSSjKp
            dQIhAKjjcWOPxwPF9HsX7Xje1PwE6vOFFk6JLz9ER6QCSgQbAiBOKyvPHQrjL5Cg
            ITBb4N1qyhzhQTakBl2jNCU3kkYfWQIgJDKTO3/ZqjM+g6YUPxW52K/osciSiiyW
            bIj4lNDt43U=
            -----END PRIVATE KEY-----
            """)
        let error = try #require(Self.error(#"{ "sign" : [ { "domain" : "example.com", "selector" : "test", "key" : \#(short) } ] }"#))
        #expect(error.keyPath == "sign[0]")
        #expect(error.message == "the key for example.com (selector test) is an RSA key of 512 bits; RFC 8301 asks for at least 1024")
    }
}
