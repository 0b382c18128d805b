import Config
import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// XGoogleDKIM (issue 13): `X-Google-DKIM-Signature` fields verified as
/// Perl's `XGoogleDKIM.pm` does (a copy named DKIM-Signature, the real
/// DKIM-Signature fields renamed away), `x-google-dkim=` entries.
@Suite struct XGoogleDKIMHandlerTests {
    typealias Data = DKIMHandlerTestData

    /// A throwaway 1024-bit key made for these tests (openssl genpkey).
    static let pem = """
        -----BEGIN PRIVATE KEY-----
        MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAJ4fFVZRLfssSkNC
        cu/RNGJxNl8ymHGivlD+GyORn3v8q5EXiI+wqpXw6OI+0Q5ZdARwPTspRRibAbcK
        XM2cFuQNo/h6D5cNbIcyzzp2HnxLqlUKDpH/HV+QQuV0cs6gwI7yrpcIAOW75IEE
        zfAEVysDCdq/L43BFXj/ua6oAWRHAgMBAAECgYBX2pNjYzV2EfStDDWKM6W0cIyy
        Ng1nTfIKVDVF/PoszIWS1w2EMLeHGdR7KEXFgEQq1yXeQh7m/fDk/3fysaAxdCMf
        GH+fiEcg55IlwmDNR7w4b/26xF97ZhXVuKdfmmVIHUG0+rGFrXj90j1jfUEqbhQH
        r79BoQhyFZQ9NWWWgQJBAMof587scOWXKV0LdlIF4Y7htlgpRTu5KPb2O3cgYW5X
        D3UISiYEt/Kh3zbrIItRoh7hW1Om7K2LpZIzeZ74LsECQQDIRJevHlcJ/6OvSWJ7
        +Q3dSfqlDpIBZ8W08Qti07jMCt1O9/iyf3LseJwdbyIarOIFiueZUs70fcn29A1x
        PF0HAkBsUiD24fu27wW52ZS1bHVvD0Obh7KUySxM/bTsqKvOaFXeUGz8Zvb1zw5C
        7ktonn0Vs4wwDns0nmxDJ9b7/OGBAkEAgp0x7LW2AMBpCi6re72gjD3uqe4Jzb7X
        lD5NtcPuV62STymtWwWCd7Xl49CShqFQvFqu2DHI5m6P5W+gwMSkywJAWnpvx8RX
        3QbjIEgrafe2NcoKoa2d+C3M/SE2nutjw14rUUAwUo2dgEN4qgcEsBOaF0SyZpyc
        ataFRawbo/SQdw==
        -----END PRIVATE KEY-----
        """
    static let clock = DKIMClock.fixed(1_700_000_000)

    static func key() throws -> DKIMSigningKey { try DKIMSigningKey(pem: pem) }

    /// The key published as Google publishes its own (1e100.net).
    static func zone() throws -> InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        dns.add("20230601._domainkey.1e100.net", DKIMHandlerTestData.txt(try key().keyRecord()))
        dns.add("mail._domainkey.example.com", DKIMHandlerTestData.txt(try key().keyRecord()))
        return dns
    }

    static let message = Array("""
        From: Alice <alice@example.com>\r
        To: bob@example.net\r
        Subject: Lunch\r
        Message-ID: <lunch@example.com>\r
        \r
        See you at noon.\r

        """.utf8)

    /// A signature over `message` by `domain`, and its field renamed `name`.
    static func signature(_ message: [UInt8], domain: String = "1e100.net", selector: String = "20230601",
                          algorithm: DKIMAlgorithm = .rsaSHA256) throws -> DKIMSignatureOutput {
        try DKIMSigner.sign(message: message, key: key(),
                            options: DKIMSignerOptions(domain: domain, selector: selector, algorithm: algorithm, clock: clock))
    }

    static func renamed(_ signature: DKIMSignatureOutput, to name: String = "X-Google-DKIM-Signature") -> [UInt8] {
        Array(name.utf8) + signature.headerBytes.drop { $0 != UInt8(ascii: ":") }
    }

    static func entries(_ message: [UInt8], config: String = "{}", zone: InMemoryDNSResolver? = nil) throws -> [String] {
        let session = MailSession(resolver: try zone ?? Self.zone())
        try Data.run(XGoogleDKIMHandler(config: JSONParser.parse(config)), session, message: message)
        return Data.entries(session)
    }

    @Test func keysAndDefaultsAreThePerlOnes() throws {
        #expect(XGoogleDKIMHandler.configKeys == ["hide_none"])
        #expect(try !XGoogleDKIMHandler(config: JSONParser.parse(XGoogleDKIMHandler.defaultConfigJSON)).hideNone)
        #expect(try XGoogleDKIMHandler(config: JSONParser.parse(#"{"hide_none": 1}"#)).hideNone)
        #expect(throws: ConfigurationError.self) { try XGoogleDKIMHandler(config: JSONParser.parse(#"{"hide_none": "yes"}"#)) }
    }

    @Test func aGoogleSignaturePasses() throws {
        let signature = try Self.signature(Self.message)
        #expect(try Self.entries(Self.renamed(signature) + Self.message) == [
            "x-google-dkim=pass (1024-bit rsa key) header.d=1e100.net header.i=@1e100.net header.b=\(Data.headerB(signature))",
        ])
    }

    @Test func withoutTheFieldItIsNone() throws {
        #expect(try Self.entries(Self.message) == ["x-google-dkim=none (no signatures found)"])
        #expect(try Self.entries(Self.message, config: #"{"hide_none": 1}"#) == [])
        // The name is compared exactly, as Perl's eq does.
        let signature = try Self.signature(Self.message)
        #expect(try Self.entries(Self.renamed(signature, to: "x-google-dkim-signature") + Self.message)
                    == ["x-google-dkim=none (no signatures found)"])
    }

    @Test func realDKIMSignaturesAreNotChecked() throws {
        // example.com's own DKIM-Signature (valid) over the Google one:
        // only the Google signature gets an entry.
        let google = try Self.signature(Self.message)
        let googleSigned = Self.renamed(google) + Self.message
        let real = try Self.signature(googleSigned, domain: "example.com", selector: "mail")
        #expect(try Self.entries(real.headerBytes + googleSigned) == [
            "x-google-dkim=pass (1024-bit rsa key) header.d=1e100.net header.i=@1e100.net header.b=\(Data.headerB(google))",
        ])
        // A real signature alone is no Google signature.
        #expect(try Self.entries(real.headerBytes + Self.message) == ["x-google-dkim=none (no signatures found)"])
    }

    @Test func anAlteredBodyFailsWithTheReasonFirst() throws {
        let signature = try Self.signature(Self.message)
        let altered = Self.renamed(signature) + Self.message + Array("P.S. one more line\r\n".utf8)
        #expect(try Self.entries(altered) == [
            "x-google-dkim=fail (body has been altered, 1024-bit rsa key) header.d=1e100.net header.i=@1e100.net "
                + "header.b=\(Data.headerB(signature))",
        ])
    }

    @Test func aMissingKeyIsInvalidWithoutKeyData() throws {
        let signature = try Self.signature(Self.message)
        #expect(try Self.entries(Self.renamed(signature) + Self.message, zone: InMemoryDNSResolver()) == [
            "x-google-dkim=invalid (public key: not available) header.d=1e100.net header.i=@1e100.net header.b=\(Data.headerB(signature))",
        ])
    }

    @Test func theVerifierIsNotStrictAsPerlsIsNot() throws {
        // Mail::DKIM::Verifier->new() without Strict checks rsa-sha1.
        let signature = try Self.signature(Self.message, algorithm: .rsaSHA1)
        #expect(try Self.entries(Self.renamed(signature) + Self.message) == [
            "x-google-dkim=pass (1024-bit rsa key) header.d=1e100.net header.i=@1e100.net header.b=\(Data.headerB(signature))",
        ])
    }

    @Test func besideTheDKIMHandlerThroughTheDispatcher() throws {
        let signature = try Self.signature(Self.message)
        let (fields, bodyStart) = MessageHeaderSplitter.split(Self.renamed(signature) + Self.message)
        let handlers: [any Handler] = [try DKIMHandler(config: JSONParser.parse(#"{"check_adsp": 0}"#)),
                                       try XGoogleDKIMHandler(config: JSONParser.parse("{}"))]
        let harness = Harness(handlers: handlers, settings: Harness.oneLine, resolver: try Self.zone())
        harness.openConnection()
        harness.send(.mailFrom(["<alice@example.com>"]))
        harness.send(.data)
        for field in fields {
            let raw = Data.milterForm(field)
            harness.send(.header(name: String(decoding: raw.name, as: UTF8.self), value: String(decoding: raw.value, as: UTF8.self)))
        }
        harness.send(.endOfHeaders)
        harness.send(.body(Array((Self.renamed(signature) + Self.message)[bodyStart...])))
        #expect(authResultsEntries(harness.send(.endOfMessage([]))) == [
            "dkim=none (no signatures found)",
            "x-google-dkim=pass (1024-bit rsa key) header.d=1e100.net header.i=@1e100.net header.b=\(Data.headerB(signature))",
        ])
    }
}
