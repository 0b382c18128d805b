/// Why no ARC Set was added.
public enum ARCSealerError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidDomain(String)
    case invalidSelector(String)
    /// The key cannot make signatures of the chosen algorithm, or the
    /// algorithm is rsa-sha1.
    case unsupportedAlgorithm(DKIMAlgorithm)
    /// An ARC field or Authentication-Results among the signed headers
    /// (RFC 8617 section 4.1.2), or From missing from them.
    case invalidSignedHeaders(String)
    /// The authserv-id is empty or not a single token.
    case invalidAuthservID(String)
    /// The results text would break the header (a line break not followed
    /// by whitespace, a NUL or lone CR).
    case invalidAuthenticationResults(String)
    /// The newest ARC-Seal already says `cv=fail`: the chain has ended and
    /// no set may follow (RFC 8617 section 5.1 step 2).
    case chainAlreadyFailed
    /// The message already holds instance 50 (or claims a higher one): no
    /// instance is left (RFC 8617 section 4.2.1).
    case instanceLimitReached(Int)
    /// The verification result handed in does not describe this message's
    /// chain (another message, or headers changed in between).
    case verificationMismatch(String)
    case crypto(String)

    public var description: String {
        switch self {
        case .invalidDomain(let domain): return "invalid sealing domain \(domain)"
        case .invalidSelector(let selector): return "invalid selector \(selector)"
        case .unsupportedAlgorithm(let algorithm): return "cannot seal with \(algorithm.rawValue) and this key"
        case .invalidSignedHeaders(let why): return "invalid signed header list: \(why)"
        case .invalidAuthservID(let id): return "invalid authserv-id \(id)"
        case .invalidAuthenticationResults(let why): return "invalid authentication results: \(why)"
        case .chainAlreadyFailed: return "the newest ARC-Seal says cv=fail: the chain has ended"
        case .instanceLimitReached(let instance): return "the message already has ARC instance \(instance); 50 is the limit"
        case .verificationMismatch(let why): return "the verification result does not match the message: \(why)"
        case .crypto(let text): return "sealing failed: \(text)"
        }
    }

    /// What a program or a test matches, without the values.
    public enum Code: String, Hashable, Sendable {
        case invalidDomain = "invalid-domain"
        case invalidSelector = "invalid-selector"
        case unsupportedAlgorithm = "unsupported-algorithm"
        case invalidSignedHeaders = "invalid-signed-headers"
        case invalidAuthservID = "invalid-authserv-i-d"
        case invalidAuthenticationResults = "invalid-authentication-results"
        case chainAlreadyFailed = "chain-already-failed"
        case instanceLimitReached = "instance-limit-reached"
        case verificationMismatch = "verification-mismatch"
        case crypto = "crypto"
    }

    public var code: Code {
        switch self {
        case .invalidDomain: .invalidDomain
        case .invalidSelector: .invalidSelector
        case .unsupportedAlgorithm: .unsupportedAlgorithm
        case .invalidSignedHeaders: .invalidSignedHeaders
        case .invalidAuthservID: .invalidAuthservID
        case .invalidAuthenticationResults: .invalidAuthenticationResults
        case .chainAlreadyFailed: .chainAlreadyFailed
        case .instanceLimitReached: .instanceLimitReached
        case .verificationMismatch: .verificationMismatch
        case .crypto: .crypto
        }
    }

    /// The reason in words (the same as `description`).
    public var reason: String { description }
}
