import COpenSSL

/// A private key loaded into OpenSSL, for DKIM signing: RSA or Ed25519 from
/// PEM (PKCS #1 "RSA PRIVATE KEY" or PKCS #8 "PRIVATE KEY"), or Ed25519
/// from the bare base64 32-byte seed that dkimpy and RFC 8463 examples use.
public final class CryptoPrivateKey {
    let pkey: OpaquePointer
    public let type: CryptoKeyType

    private init(pkey: OpaquePointer, type: CryptoKeyType) {
        self.pkey = pkey
        self.type = type
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    public var bits: Int {
        Int(EVP_PKEY_get_bits(pkey))
    }

    /// Loads a key from PEM text. Encrypted PEM is refused (no passphrase
    /// callback: a key the daemon reads must be usable unattended).
    public static func pem(_ text: [UInt8]) throws(CryptoError) -> CryptoPrivateKey {
        guard !text.isEmpty, text.count < Int(Int32.max) else { throw CryptoError("empty key") }
        let loaded: OpaquePointer? = text.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            // An empty passphrase callback result makes encrypted keys fail
            // instead of prompting on a terminal.
            return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)
        }
        guard let pkey = loaded else { throw CryptoError.fromOpenSSL("cannot read PEM private key") }
        switch EVP_PKEY_get_base_id(pkey) {
        case EVP_PKEY_RSA:
            return CryptoPrivateKey(pkey: pkey, type: .rsa)
        case EVP_PKEY_ED25519:
            return CryptoPrivateKey(pkey: pkey, type: .ed25519)
        default:
            EVP_PKEY_free(pkey)
            throw CryptoError("unsupported private key type (DKIM signs with RSA or Ed25519)")
        }
    }

    public static func pem(_ text: String) throws(CryptoError) -> CryptoPrivateKey {
        try pem(Array(text.utf8))
    }

    /// Builds an Ed25519 key from its 32-byte seed (RFC 8032 section 5.1.5).
    public static func ed25519(seed: [UInt8]) throws(CryptoError) -> CryptoPrivateKey {
        guard seed.count == 32 else { throw CryptoError("Ed25519 seed must be 32 bytes, got \(seed.count)") }
        let loaded = seed.withUnsafeBufferPointer { buffer in
            EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, buffer.baseAddress, buffer.count)
        }
        guard let pkey = loaded else { throw CryptoError.fromOpenSSL("cannot load Ed25519 private key") }
        return CryptoPrivateKey(pkey: pkey, type: .ed25519)
    }

    /// The matching public key.
    public func publicKey() throws(CryptoError) -> CryptoPublicKey {
        let data = try dkimPublicKeyData()
        switch type {
        case .rsa: return try CryptoPublicKey.rsa(der: data)
        case .ed25519: return try CryptoPublicKey.ed25519(raw: data)
        }
    }

    /// RSASSA-PKCS1-v1_5 signature over `digest` (already hashed).
    public func signRSA(digest: [UInt8], hash: CryptoHash) throws(CryptoError) -> [UInt8] {
        guard type == .rsa else { throw CryptoError("not an RSA key") }
        guard digest.count == hash.length else { throw CryptoError("digest has the wrong length") }
        guard let context = EVP_PKEY_CTX_new(pkey, nil) else { throw CryptoError.fromOpenSSL("out of memory") }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_sign_init(context) == 1, EVP_PKEY_CTX_set_signature_md(context, hash.evpMD) == 1 else {
            throw CryptoError.fromOpenSSL("cannot set up RSA signing")
        }
        var length = 0
        guard EVP_PKEY_sign(context, nil, &length, digest, digest.count) == 1, length > 0 else {
            throw CryptoError.fromOpenSSL("cannot size RSA signature")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_PKEY_sign(context, &signature, &length, digest, digest.count) == 1 else {
            throw CryptoError.fromOpenSSL("RSA signing failed")
        }
        return Array(signature.prefix(length))
    }

    /// PureEdDSA Ed25519 signature over `message`.
    public func signEd25519(message: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard type == .ed25519 else { throw CryptoError("not an Ed25519 key") }
        guard let context = EVP_MD_CTX_new() else { throw CryptoError.fromOpenSSL("out of memory") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, nil, nil, pkey) == 1 else {
            throw CryptoError.fromOpenSSL("cannot set up Ed25519 signing")
        }
        var length = 64
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            throw CryptoError.fromOpenSSL("Ed25519 signing failed")
        }
        return Array(signature.prefix(length))
    }
}
