import COpenSSL

/// The hash functions DKIM uses (RFC 6376 section 3.3, RFC 8463).
public enum CryptoHash: String, Sendable, Hashable, CaseIterable {
    case sha1
    case sha256

    /// The algorithm object OpenSSL wants, fetched from the default
    /// provider once per process and kept. `EVP_sha256()` would make
    /// OpenSSL 3 fetch the implementation again at every digest and
    /// signature initialisation (a provider lookup under a lock): a
    /// measurable share of a DKIM verification (issue 12).
    var evpMD: OpaquePointer? {
        switch self {
        case .sha1: return Self.fetchedSHA1
        case .sha256: return Self.fetchedSHA256
        }
    }

    // Never freed: process-wide, like the static objects they replace.
    // Immutable once fetched, and OpenSSL's EVP_MD is safe to share.
    nonisolated(unsafe) private static let fetchedSHA1: OpaquePointer? = EVP_MD_fetch(nil, "SHA1", nil) ?? EVP_sha1()
    nonisolated(unsafe) private static let fetchedSHA256: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil) ?? EVP_sha256()

    /// Digest length in bytes.
    public var length: Int {
        switch self {
        case .sha1: return 20
        case .sha256: return 32
        }
    }

    /// DER of the PKCS #1 DigestInfo that precedes the digest inside an
    /// RSASSA-PKCS1-v1_5 signature (RFC 8017 section 9.2, note 1). Knowing
    /// it lets a failed RSA check say whether only the digest differed.
    var digestInfoPrefix: [UInt8] {
        switch self {
        case .sha1:
            return [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00, 0x04, 0x14]
        case .sha256:
            return [0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
                    0x05, 0x00, 0x04, 0x20]
        }
    }
}
