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
}
