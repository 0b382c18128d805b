import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// TLS: `x-tls=pass smtp.version=... smtp.cipher=... smtp.bits=...`
/// (message-level) from the MTA's `{tls_version}`, `{cipher}` and
/// `{cipher_bits}` macros at MAIL FROM.
@Suite struct TLSHandlerTests {
    static func entries(_ macros: [String: String]) throws -> [String] {
        let session = MailSession(resolver: InMemoryDNSResolver())
        session.macros = macros
        try TLSHandler(config: JSONParser.parse(TLSHandler.defaultConfigJSON)).envelopeFrom(session, address: "<a@example.org>")
        #expect(session.connectionAuthResults.isEmpty)
        return session.authResults.map(\.sortKey)
    }

    @Test func defaultConfigIsEmpty() throws {
        _ = try TLSHandler(config: JSONParser.parse(TLSHandler.defaultConfigJSON))
        #expect(TLSHandler.configKeys.isEmpty)
        #expect(TLSHandler.dependencyNames.isEmpty)
    }

    @Test func fullTLSDetails() throws {
        #expect(try Self.entries(["tls_version": "TLSv1.3", "cipher": "TLS_AES_256_GCM_SHA384", "cipher_bits": "256",
                                  "cert_issuer": "CN=Example CA", "cert_subject": "CN=mail.example.org"]) == [
            "x-tls=pass smtp.version=TLSv1.3 smtp.cipher=TLS_AES_256_GCM_SHA384 smtp.bits=256",
        ])
    }

    @Test func entryShape() throws {
        let session = MailSession(resolver: InMemoryDNSResolver())
        session.macros = ["tls_version": "TLSv1.2", "cipher": "ECDHE-RSA-AES128-GCM-SHA256", "cipher_bits": "128"]
        try TLSHandler(config: .object(JSONObject())).envelopeFrom(session, address: "<>")
        #expect(session.authResults == [AuthResultsEntry(method: "x-tls", result: "pass", properties: [
            AuthResultsProperty(type: "smtp", name: "version", value: "TLSv1.2"),
            AuthResultsProperty(type: "smtp", name: "cipher", value: "ECDHE-RSA-AES128-GCM-SHA256"),
            AuthResultsProperty(type: "smtp", name: "bits", value: "128"),
        ])])
    }

    /// Cipher and bits are written only when Perl finds them true.
    @Test func missingCipherAndBitsAreLeftOut() throws {
        #expect(try Self.entries(["tls_version": "TLSv1.2"]) == ["x-tls=pass smtp.version=TLSv1.2"])
        #expect(try Self.entries(["tls_version": "TLSv1.2", "cipher": "", "cipher_bits": "0"]) == ["x-tls=pass smtp.version=TLSv1.2"])
        #expect(try Self.entries(["tls_version": "TLSv1.2", "cipher_bits": "256"]) == ["x-tls=pass smtp.version=TLSv1.2 smtp.bits=256"])
    }

    @Test(arguments: [[:], ["tls_version": ""], ["tls_version": "0"], ["cipher": "AES", "cipher_bits": "256"]])
    func plainTextSessionsGetNothing(macros: [String: String]) throws {
        #expect(try Self.entries(macros) == [])
    }

    /// Odd macro text is cleaned like every property value, never breaking
    /// the header.
    @Test func oddMacroTextIsCleaned() throws {
        #expect(try Self.entries(["tls_version": "TLS v1.3;x=(y)", "cipher": "a\r\nb\"c\\d", "cipher_bits": "1\t2"]) == [
            #"x-tls=pass smtp.version="TLS v1.3 x= y" smtp.cipher="a  b c d" smtp.bits="1 2""#,
        ])
    }

    /// Through the dispatcher: written again for each message, from the
    /// macros the MTA sent for the connection.
    @Test func everyMessageCarriesTheEntry() throws {
        let harness = Harness(handlers: [try TLSHandler(config: .object(JSONObject()))])
        harness.openConnection()
        harness.send(.defineMacros(forCommand: UInt8(ascii: "H"), macros: [
            MilterMacro(name: "{tls_version}", value: "TLSv1.3"), MilterMacro(name: "{cipher}", value: "TLS_AES_128_GCM_SHA256"),
            MilterMacro(name: "{cipher_bits}", value: "128"),
        ]))
        let header = MilterResponse.insertHeader(index: 1, name: "Authentication-Results", value:
            "mx.example.net;\n    x-tls=pass smtp.version=TLSv1.3 smtp.cipher=TLS_AES_128_GCM_SHA256 smtp.bits=128")
        #expect(harness.sendMessage() == [header, .continue])
        #expect(harness.sendMessage() == [header, .continue])
    }
}

/// SMTP mode: no macros; the TLS facts of the first header when it is the
/// Received field Postfix writes with `smtpd_tls_received_header`.
@Suite struct TLSHandlerSMTPModeTests {
    static func entries(_ headers: [(String, String)], servesSMTP: Bool = true) throws -> [String] {
        let session = MailSession(resolver: InMemoryDNSResolver())
        session.servesSMTP = servesSMTP
        let handler = try TLSHandler(config: .object(JSONObject()))
        try handler.envelopeFrom(session, address: "<a@example.org>")
        for (name, value) in headers { try handler.header(session, name: name, value: value) }
        return session.authResults.map(\.sortKey)
    }

    static let postfixReceived = "from mail.example.org (mail.example.org [192.0.2.1])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\r\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\r\n\t(No client certificate requested)\r\n\tby mx.example.com (Postfix) with ESMTPS id 4ABC"

    @Test func theFirstReceivedGivesTheFacts() throws {
        #expect(try Self.entries([("Received", Self.postfixReceived)]) == [
            "x-tls=pass smtp.version=TLSv1.3 smtp.cipher=TLS_AES_256_GCM_SHA384 smtp.bits=256",
        ])
    }

    @Test func onlyTheFirstHeaderAndOnlyInSMTPMode() throws {
        #expect(try Self.entries([("Subject", "x"), ("Received", Self.postfixReceived)]) == [])
        #expect(try Self.entries([("Received", Self.postfixReceived), ("Received", Self.postfixReceived)]).count == 1)
        #expect(try Self.entries([("Received", Self.postfixReceived)], servesSMTP: false) == [])
        #expect(try Self.entries([("Received", "from a (b [192.0.2.1]) by c (Postfix) with ESMTP id X")]) == [])
    }

    @Test func oddTextIsNotTaken() {
        #expect(TLSReceivedFacts(receivedValue: "(using TLS;x with cipher A (256/256 bits))") == nil)
        #expect(TLSReceivedFacts(receivedValue: "(using TLSv1.2 with cipher A (x/256 bits))") == nil)
        #expect(TLSReceivedFacts(receivedValue: "(using TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits))")
                == TLSReceivedFacts(version: "TLSv1.2", cipher: "ECDHE-RSA-AES128-GCM-SHA256", bits: "128"))
    }
}
