/// A private key to sign with, and what to publish for it.
public struct DKIMSigningKey {
    public let privateKey: CryptoPrivateKey

    public init(privateKey: CryptoPrivateKey) {
        self.privateKey = privateKey
    }

    /// From PEM text (RSA in PKCS #1 or PKCS #8, Ed25519 in PKCS #8).
    public init(pem: String) throws(CryptoError) {
        self.init(privateKey: try CryptoPrivateKey.pem(pem))
    }

    /// From the base64 of a 32-byte Ed25519 seed (the form of RFC 8463's
    /// examples and of dkimpy's key files).
    public init(ed25519Seed base64: String) throws(CryptoError) {
        guard let seed = CryptoBase64.decode(Array(base64.utf8)) else { throw CryptoError("Ed25519 seed is not base64") }
        self.init(privateKey: try CryptoPrivateKey.ed25519(seed: seed))
    }

    /// PEM if the text has a PEM boundary, else an Ed25519 seed.
    public init(text: String) throws(CryptoError) {
        if text.contains("-----BEGIN") {
            try self.init(pem: text)
        } else {
            try self.init(ed25519Seed: text)
        }
    }

    public var keyType: CryptoKeyType { privateKey.type }

    /// The algorithm a key of this type signs with by default.
    public var defaultAlgorithm: DKIMAlgorithm {
        keyType == .rsa ? .rsaSHA256 : .ed25519SHA256
    }

    /// The TXT record to publish at `selector._domainkey.domain`.
    public func keyRecord() throws(CryptoError) -> String {
        let data = try privateKey.publicKey().dkimPublicKeyData
        guard !data.isEmpty else { throw CryptoError("cannot export the public key") }
        return "v=DKIM1; k=\(keyType.rawValue); p=\(CryptoBase64.encode(data))"
    }
}
