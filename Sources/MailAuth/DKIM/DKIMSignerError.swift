/// Why a message could not be signed.
public enum DKIMSignerError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidDomain(String)
    case invalidSelector(String)
    /// `i=` is not an address or `@domain` in `d=`.
    case invalidIdentity(String)
    /// The key cannot make signatures of the chosen algorithm.
    case algorithmDoesNotMatchKey(DKIMAlgorithm)
    /// RFC 6376 section 5.4: From is mandatory, in the message and in `h=`.
    case noFromHeader
    case fromNotSigned
    case crypto(String)

    public var description: String {
        switch self {
        case .invalidDomain(let domain): return "invalid signing domain \(domain)"
        case .invalidSelector(let selector): return "invalid selector \(selector)"
        case .invalidIdentity(let identity): return "identity \(identity) is not in the signing domain"
        case .algorithmDoesNotMatchKey(let algorithm): return "the key cannot sign \(algorithm.rawValue)"
        case .noFromHeader: return "the message has no From header field"
        case .fromNotSigned: return "From must be among the signed header fields"
        case .crypto(let text): return "signing failed: \(text)"
        }
    }

    /// What a program or a test matches, without the values.
    public enum Code: String, Hashable, Sendable {
        case invalidDomain = "invalid-domain"
        case invalidSelector = "invalid-selector"
        case invalidIdentity = "invalid-identity"
        case algorithmDoesNotMatchKey = "algorithm-does-not-match-key"
        case noFromHeader = "no-from-header"
        case fromNotSigned = "from-not-signed"
        case crypto = "crypto"
    }

    public var code: Code {
        switch self {
        case .invalidDomain: .invalidDomain
        case .invalidSelector: .invalidSelector
        case .invalidIdentity: .invalidIdentity
        case .algorithmDoesNotMatchKey: .algorithmDoesNotMatchKey
        case .noFromHeader: .noFromHeader
        case .fromNotSigned: .fromNotSigned
        case .crypto: .crypto
        }
    }

    /// The reason in words (the same as `description`).
    public var reason: String { description }
}
