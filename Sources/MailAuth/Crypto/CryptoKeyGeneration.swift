import COpenSSL

/// New DKIM keys and their two text forms: the private key as PKCS #8 PEM
/// (what the DKIMSign and ARC handlers load) and the public key as the
/// `p=` data of a DKIM key record (RFC 6376: RSA SubjectPublicKeyInfo DER;
/// RFC 8463: the 32 raw Ed25519 bytes).
extension CryptoPrivateKey {
    /// A fresh key from OpenSSL's random source; `bits` for RSA only
    /// (1024 to 8192; RFC 8301 asks for at least 1024, 2048 is usual).
    public static func generate(_ type: CryptoKeyType, bits: Int = 2048) throws(CryptoError) -> CryptoPrivateKey {
        let id = type == .rsa ? EVP_PKEY_RSA : EVP_PKEY_ED25519
        guard let context = EVP_PKEY_CTX_new_id(id, nil) else { throw CryptoError.fromOpenSSL("cannot make a key context") }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw CryptoError.fromOpenSSL("cannot start key generation") }
        if type == .rsa {
            guard (1024...8192).contains(bits) else { throw CryptoError("RSA keys are 1024 to 8192 bits, not \(bits)") }
            guard EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(bits)) == 1 else {
                throw CryptoError.fromOpenSSL("cannot set the key size")
            }
        }
        var made: OpaquePointer?
        guard EVP_PKEY_keygen(context, &made) == 1, let made else { throw CryptoError.fromOpenSSL("key generation failed") }
        // Through PEM, so the one loader (and its type checks) makes the object.
        let pem = try pemText(of: made)
        EVP_PKEY_free(made)
        return try CryptoPrivateKey.pem(pem)
    }

    /// The key as unencrypted PKCS #8 PEM ("-----BEGIN PRIVATE KEY-----").
    public func pkcs8PEM() throws(CryptoError) -> String {
        try Self.pemText(of: pkey)
    }

    /// The `p=` data of the DKIM key record that matches this key.
    public func dkimPublicKeyData() throws(CryptoError) -> [UInt8] {
        switch type {
        case .rsa:
            var out: UnsafeMutablePointer<UInt8>? = nil
            let length = i2d_PUBKEY(pkey, &out)
            guard length > 0, let out else { throw CryptoError.fromOpenSSL("cannot export the RSA public key") }
            defer { CRYPTO_free(out, #fileID, #line) }
            return Array(UnsafeBufferPointer(start: out, count: Int(length)))
        case .ed25519:
            var raw = [UInt8](repeating: 0, count: 32)
            var length = raw.count
            guard EVP_PKEY_get_raw_public_key(pkey, &raw, &length) == 1 else {
                throw CryptoError.fromOpenSSL("cannot export the Ed25519 public key")
            }
            return Array(raw.prefix(length))
        }
    }

    private static func pemText(of key: OpaquePointer) throws(CryptoError) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError.fromOpenSSL("cannot make a memory BIO") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PKCS8PrivateKey(bio, key, nil, nil, 0, nil, nil) == 1 else {
            throw CryptoError.fromOpenSSL("cannot write the private key")
        }
        let pending = Int(BIO_ctrl_pending(bio))
        var bytes = [UInt8](repeating: 0, count: pending)
        let read = bytes.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(pending)) }
        guard read == pending else { throw CryptoError("cannot read the private key back") }
        return String(decoding: bytes, as: UTF8.self)
    }
}
