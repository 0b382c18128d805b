import Foundation
import Handlers
import MailAuth
import TestSupport

/// The dkimpy vectors (`DKIMTestData`, skipped where the team's
/// conformance data is absent), their DNS zone, and a driver that hands a
/// whole message to a handler the way the dispatcher does (milter-form
/// header fields with their exact bytes, then the body in chunks).
enum DKIMHandlerTestData {
    static func path(_ name: String) throws -> String { try DKIMTestData.path(name) }
    static func bytes(_ name: String) throws -> [UInt8] { try DKIMTestData.bytes(name) }
    static func text(_ name: String) throws -> String { try DKIMTestData.text(name) }
    static func record(_ name: String) throws -> String { try DKIMTestData.record(name) }
    static func txt(_ text: String) -> DNSRecord { DKIMTestData.txt(text) }

    /// The RFC 8032 section 7.1 public key, which dkimpy publishes at
    /// brisbane._domainkey.football.example.com.
    static let rfc8032PublicKey = DKIMTestData.rfc8032PublicKey

    /// dkimpy's keys: the 1024-bit test key at test._domainkey of
    /// example.com and football.example.com, the RFC 8032 key at brisbane.
    static func zone() throws -> InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        dns.add("test._domainkey.example.com", txt(try record("test.txt")))
        dns.add("test._domainkey.football.example.com", txt(try record("test.txt")))
        dns.add("brisbane._domainkey.football.example.com", txt("v=DKIM1; k=ed25519; p=\(rfc8032PublicKey)"))
        return dns
    }

    static func rsaKey() throws -> DKIMSigningKey { try DKIMTestData.rsaKey() }
    static func rsa2048Key() throws -> DKIMSigningKey { try DKIMSigningKey(pem: text("2048_testkey.key")) }
    static func ed25519Key() throws -> DKIMSigningKey { try DKIMTestData.ed25519Key() }
    static let clock = DKIMTestData.clock

    /// `message` with a signature made by `key` prepended.
    static func signed(_ message: [UInt8], key: DKIMSigningKey, domain: String = "example.com",
                       selector: String = "test") throws -> [UInt8] {
        let options = DKIMSignerOptions(domain: domain, selector: selector, clock: clock)
        return try DKIMSigner.sign(message: message, key: key, options: options).headerBytes + message
    }

    /// A field as the MTA hands it to a milter: the name, and the value
    /// without the space after the colon, folded with LF.
    static func milterForm(_ field: MessageHeaderField) -> (name: [UInt8], value: [UInt8]) {
        var value = field.value[...]
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        var out: [UInt8] = []
        for byte in value where byte != 0x0D { out.append(byte) }
        return (field.name, out)
    }

    /// Runs one message through `handler`: MAIL FROM, each header field
    /// (with `currentRawHeader` set), end of headers, the body in chunks,
    /// end of message.
    static func run(_ handler: any Handler, _ session: MailSession, message: [UInt8],
                    from: String = "<sender@example.org>", chunkSize: Int = 4096) throws {
        try handler.envelopeFrom(session, address: from)
        let (fields, bodyStart) = MessageHeaderSplitter.split(message)
        for field in fields {
            let raw = milterForm(field)
            session.currentRawHeader = raw
            defer { session.currentRawHeader = nil }
            try handler.header(session, name: String(decoding: raw.name, as: UTF8.self),
                               value: String(decoding: raw.value, as: UTF8.self))
        }
        try handler.endOfHeaders(session)
        var offset = bodyStart
        while offset < message.count {
            let end = min(offset + chunkSize, message.count)
            try handler.body(session, chunk: message[offset..<end])
            offset = end
        }
        try handler.endOfMessage(session)
    }

    /// The A-R entries a session gathered, as Perl renders each.
    static func entries(_ session: MailSession) -> [String] {
        session.authResults.map(\.sortKey)
    }

    /// The first 8 characters of a signature's `b=`.
    static func headerB(_ signature: DKIMSignatureOutput) -> String {
        let value = signature.value.filter { !$0.isWhitespace }
        guard let range = value.range(of: ";b=") else { return "" }
        return String(value[range.upperBound...].prefix(8))
    }
}
