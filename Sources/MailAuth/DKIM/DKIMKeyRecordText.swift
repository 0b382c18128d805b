/// The DKIM key record to publish for a key: the TXT text
/// (`v=DKIM1; k=rsa; p=...`) and a zone-file line with the text cut into
/// strings of at most 255 bytes (RFC 1035 character-strings; a resolver
/// joins them, RFC 6376 section 3.6.2.2).
public struct DKIMKeyRecordText: Sendable, Equatable {
    public let selector: String
    public let domain: String
    public let type: CryptoKeyType
    /// The `p=` data, base64.
    public let publicKey: String

    public init(selector: String, domain: String, type: CryptoKeyType, publicKeyData: [UInt8]) {
        self.selector = selector
        self.domain = domain
        self.type = type
        self.publicKey = CryptoBase64.encode(publicKeyData)
    }

    /// The owner name, fully qualified.
    public var name: String { "\(selector)._domainkey.\(domain)." }

    public var text: String { "v=DKIM1; k=\(type.rawValue); p=\(publicKey)" }

    /// `<name> IN TXT ( "..." "..." )`, each string at most 255 bytes.
    public var zoneLine: String {
        let bytes = Array(text.utf8)
        var strings: [String] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + 255)
            strings.append("\"" + String(decoding: bytes[offset..<end], as: UTF8.self) + "\"")
            offset = end
        }
        return "\(name) IN TXT ( \(strings.joined(separator: " ")) )"
    }
}
