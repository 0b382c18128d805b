import COpenSSL

/// A public key loaded into OpenSSL: RSA from DER (SubjectPublicKeyInfo,
/// as RFC 6376 publishes it, or a bare PKCS #1 RSAPublicKey, which some
/// publishers use and other verifiers accept) or Ed25519 from its 32 raw
/// bytes (RFC 8463 section 4).
///
/// Immutable once loaded, and OpenSSL allows one EVP_PKEY in concurrent
/// verifications (each makes its own context), hence Sendable: parsed
/// DKIM keys are shared through `DKIMKeyRecordCache`.
public final class CryptoPublicKey: @unchecked Sendable {
    let pkey: OpaquePointer
    public let type: CryptoKeyType

    private init(pkey: OpaquePointer, type: CryptoKeyType) {
        self.pkey = pkey
        self.type = type
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// Size in bits: the modulus for RSA, 256 for Ed25519 (what Mail::DKIM
    /// reports, and what goes into "1024-bit rsa key" comments).
    public var bits: Int {
        Int(EVP_PKEY_get_bits(pkey))
    }

    /// Loads an RSA public key from DER. Refuses keys of any other type, so
    /// `k=rsa` can never smuggle in, say, an EC key.
    public static func rsa(der: [UInt8]) throws(CryptoError) -> CryptoPublicKey {
        guard !der.isEmpty else { throw CryptoError("empty key") }
        var loaded: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_PUBKEY(nil, &cursor, buffer.count)
        }
        if loaded == nil {
            ERR_clear_error()
            loaded = der.withUnsafeBufferPointer { buffer in
                var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
                return d2i_PublicKey(EVP_PKEY_RSA, nil, &cursor, buffer.count)
            }
        }
        guard let pkey = loaded else { throw CryptoError.fromOpenSSL("cannot decode RSA public key") }
        guard EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA else {
            EVP_PKEY_free(pkey)
            throw CryptoError("not an RSA key")
        }
        return CryptoPublicKey(pkey: pkey, type: .rsa)
    }

    /// Loads an Ed25519 public key from its 32 raw bytes.
    public static func ed25519(raw: [UInt8]) throws(CryptoError) -> CryptoPublicKey {
        guard raw.count == 32 else { throw CryptoError("Ed25519 public key must be 32 bytes, got \(raw.count)") }
        let loaded = raw.withUnsafeBufferPointer { buffer in
            EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, buffer.baseAddress, buffer.count)
        }
        guard let pkey = loaded else { throw CryptoError.fromOpenSSL("cannot load Ed25519 public key") }
        return CryptoPublicKey(pkey: pkey, type: .ed25519)
    }

    /// What a DKIM key record publishes in `p=`: SubjectPublicKeyInfo DER
    /// for RSA, the raw 32 bytes for Ed25519.
    public var dkimPublicKeyData: [UInt8] {
        switch type {
        case .rsa:
            var out: UnsafeMutablePointer<UInt8>? = nil
            let length = i2d_PUBKEY(pkey, &out)
            guard length > 0, let out else { ERR_clear_error(); return [] }
            defer { CRYPTO_free(out, #fileID, #line) }
            return Array(UnsafeBufferPointer(start: out, count: Int(length)))
        case .ed25519:
            var raw = [UInt8](repeating: 0, count: 32)
            var length = raw.count
            guard EVP_PKEY_get_raw_public_key(pkey, &raw, &length) == 1 else { ERR_clear_error(); return [] }
            return Array(raw.prefix(length))
        }
    }

    // MARK: Verification

    /// How an RSA check came out. The distinction between the two failures
    /// is Mail::DKIM's, and ends up in A-R comments: a signature that opens
    /// to a well-formed DigestInfo for the right hash, but over another
    /// digest, means the signed header fields were changed.
    public enum RSAVerification: Sendable, Equatable {
        case valid
        case digestMismatch
        case badSignature
    }

    /// Checks an RSASSA-PKCS1-v1_5 signature over `digest` (already hashed
    /// with `hash`).
    public func verifyRSA(signature: [UInt8], digest: [UInt8], hash: CryptoHash) -> RSAVerification {
        guard type == .rsa, !signature.isEmpty, digest.count == hash.length else { return .badSignature }
        defer { ERR_clear_error() }
        guard let context = EVP_PKEY_CTX_new(pkey, nil) else { return .badSignature }
        defer { EVP_PKEY_CTX_free(context) }
        if EVP_PKEY_verify_init(context) == 1,
           EVP_PKEY_CTX_set_signature_md(context, hash.evpMD) == 1,
           EVP_PKEY_verify(context, signature, signature.count, digest, digest.count) == 1 {
            return .valid
        }
        // Open the signature without checking the digest to tell the two
        // failures apart.
        guard let recovery = EVP_PKEY_CTX_new(pkey, nil) else { return .badSignature }
        defer { EVP_PKEY_CTX_free(recovery) }
        guard EVP_PKEY_verify_recover_init(recovery) == 1 else { return .badSignature }
        var length = Int(EVP_PKEY_get_size(pkey))
        guard length > 0 else { return .badSignature }
        var recovered = [UInt8](repeating: 0, count: length)
        guard EVP_PKEY_verify_recover(recovery, &recovered, &length, signature, signature.count) == 1 else {
            return .badSignature
        }
        let prefix = hash.digestInfoPrefix
        if length == prefix.count + hash.length && Array(recovered.prefix(prefix.count)) == prefix {
            return .digestMismatch
        }
        return .badSignature
    }

    /// Checks a PureEdDSA Ed25519 signature over `message` (for DKIM, the
    /// SHA-256 of the canonical header fields, RFC 8463 section 3).
    public func verifyEd25519(signature: [UInt8], message: [UInt8]) -> Bool {
        guard type == .ed25519, signature.count == 64 else { return false }
        defer { ERR_clear_error() }
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, pkey) == 1 else { return false }
        return EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
    }
}
