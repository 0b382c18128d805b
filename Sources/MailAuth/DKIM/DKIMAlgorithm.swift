/// The signing algorithms of `a=`: RFC 6376 (rsa-sha1, rsa-sha256) and RFC
/// 8463 (ed25519-sha256). RFC 8301 made rsa-sha1 historic: verifiers treat
/// it as failed unless configured otherwise, and our signer refuses it
/// unless explicitly asked (test vectors).
public enum DKIMAlgorithm: String, Sendable, Hashable, CaseIterable {
    case rsaSHA1 = "rsa-sha1"
    case rsaSHA256 = "rsa-sha256"
    case ed25519SHA256 = "ed25519-sha256"

    /// Parses an `a=` value; case-insensitive, as Mail::DKIM reads it.
    public init?(tagValue: String) {
        self.init(rawValue: tagValue.lowercased())
    }

    public var keyType: CryptoKeyType {
        switch self {
        case .rsaSHA1, .rsaSHA256: return .rsa
        case .ed25519SHA256: return .ed25519
        }
    }

    public var hash: CryptoHash {
        switch self {
        case .rsaSHA1: return .sha1
        case .rsaSHA256, .ed25519SHA256: return .sha256
        }
    }
}
