import COpenSSL

/// OpenSSL 3 loads its configuration, providers and random seed lazily, on
/// the first use of each kind of operation, and some of that opens files.
/// A sandboxed worker calls this before its seccomp filter closes `open`,
/// so that every operation DKIM needs later (digests, RSA and Ed25519
/// verification and signing) is already initialised.
public enum CryptoWarmUp {
    /// Runs one of each operation on throwaway data. Returns false if
    /// anything failed (the caller logs it; the jail still goes up).
    @discardableResult
    public static func run() -> Bool {
        var ok = true
        guard CryptoDigest.digest(.sha1, Array("warm-up".utf8)) != nil,
              let sha256 = CryptoDigest.digest(.sha256, Array("warm-up".utf8)) else { return false }
        // RFC 8032 section 7.1, test 1: a fixed key keeps this deterministic.
        let seed: [UInt8] = [0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
                             0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60]
        if let key = try? CryptoPrivateKey.ed25519(seed: seed),
           let signature = try? key.signEd25519(message: sha256),
           let publicKey = try? key.publicKey() {
            ok = publicKey.verifyEd25519(signature: signature, message: sha256) && ok
        } else {
            ok = false
        }
        // Loading an RSA key and one verification pull in the RSA provider
        // code paths; the signature is garbage, only the path matters.
        if let rsa = try? CryptoPublicKey.rsa(der: warmUpRSAKey) {
            _ = rsa.verifyRSA(signature: [UInt8](repeating: 1, count: 128), digest: sha256, hash: .sha256)
        } else {
            ok = false
        }
        var random = [UInt8](repeating: 0, count: 16)
        ok = RAND_bytes(&random, 16) == 1 && ok
        ERR_clear_error()
        return ok
    }

    /// A 1024-bit RSA SubjectPublicKeyInfo (dkimpy's public test key).
    private static let warmUpRSAKey: [UInt8] = CryptoBase64.decode(Array((
        "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/"
        + "byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"
    ).utf8)) ?? []
}
