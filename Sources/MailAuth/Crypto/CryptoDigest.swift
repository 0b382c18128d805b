import COpenSSL

/// A streaming SHA-1 or SHA-256 computation in OpenSSL: DKIM feeds the
/// canonical body chunk by chunk as the MTA sends it, so nothing holds the
/// whole message.
///
/// A class because it owns an OpenSSL context that must be freed exactly
/// once; it is not shared between threads (the worker is single-threaded).
public final class CryptoDigest {
    public let hash: CryptoHash
    private let context: OpaquePointer
    private var finished = false

    /// Nil only when OpenSSL cannot provide the algorithm (out of memory,
    /// or a configuration that disables it).
    public init?(_ hash: CryptoHash) {
        guard let context = EVP_MD_CTX_new() else { return nil }
        guard EVP_DigestInit_ex(context, hash.evpMD, nil) == 1 else {
            EVP_MD_CTX_free(context)
            ERR_clear_error()
            return nil
        }
        self.hash = hash
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard !finished, let base = bytes.baseAddress, bytes.count > 0 else { return }
        _ = EVP_DigestUpdate(context, base, bytes.count)
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public func update(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The digest. Further updates are ignored and a second call returns an
    /// empty array: a context can only be finalized once.
    public func finalize() -> [UInt8] {
        guard !finished else { return [] }
        finished = true
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &out, &length) == 1 else {
            ERR_clear_error()
            return []
        }
        return Array(out.prefix(Int(length)))
    }

    /// One-shot digest of `bytes`, or nil if OpenSSL cannot provide it.
    public static func digest(_ hash: CryptoHash, _ bytes: [UInt8]) -> [UInt8]? {
        guard let digest = CryptoDigest(hash) else { return nil }
        digest.update(bytes)
        let out = digest.finalize()
        return out.isEmpty ? nil : out
    }
}
