/// Every outcome a signature can have, in one table: the RFC 8601 result,
/// the word Mail::DKIM uses ("pass", "fail", "invalid") and its reason
/// text. The Perl milter copies Mail::DKIM's `result_detail` into its
/// `Authentication-Results` comments, so reasons use Mail::DKIM's wording
/// wherever Mail::DKIM has the case; where it does not (checks RFC 6376
/// requires and Mail::DKIM skips), the reason is written in the same style
/// and docs/dkim.md lists it. An `Error` only so it can travel in a
/// `Result`.
struct DKIMVerdict: Error, Sendable, Hashable {
    var result: DKIMResult
    /// "pass", "fail" or "invalid".
    var perlResult: String
    var reason: String?

    static let pass = DKIMVerdict(result: .pass, perlResult: "pass", reason: nil)

    private static func invalid(_ reason: String, _ result: DKIMResult = .permerror) -> DKIMVerdict {
        DKIMVerdict(result: result, perlResult: "invalid", reason: reason)
    }

    private static func fail(_ reason: String, _ result: DKIMResult = .fail) -> DKIMVerdict {
        DKIMVerdict(result: result, perlResult: "fail", reason: reason)
    }

    // MARK: The signature field itself

    static let syntaxError = invalid("syntax error")
    static func duplicateTag(_ name: String) -> DKIMVerdict { invalid("duplicate \(name) tag") }
    static let missingVersion = invalid("missing v tag")
    static func unsupportedVersion(_ version: String) -> DKIMVerdict { invalid("unsupported version \(version)") }
    static func unsupportedAlgorithm(_ algorithm: String?) -> DKIMVerdict {
        invalid(algorithm.map { "unsupported algorithm \($0)" } ?? "unsupported algorithm")
    }
    static func unsupportedCanonicalization(_ value: String) -> DKIMVerdict {
        invalid("unsupported canonicalization \(value)")
    }
    static func unsupportedQuery(_ value: String) -> DKIMVerdict { invalid("unsupported query protocol, q=\(value)") }
    static let expired = invalid("signature is expired")
    static let missingDomain = invalid("missing d tag")
    static let invalidDomain = invalid("invalid domain in d tag")
    static let missingSelector = invalid("missing s tag")
    static let invalidSelector = invalid("invalid selector in s tag")
    static func missingTag(_ name: String) -> DKIMVerdict { invalid("missing \(name) tag") }
    static func invalidTag(_ name: String) -> DKIMVerdict { invalid("invalid \(name) tag") }
    static let expiresBeforeTimestamp = invalid("x tag is before t tag")
    static let fromNotSigned = invalid("From field not signed")
    static let badIdentity = invalid("bad identity")

    // MARK: The key record

    static let keyNotAvailable = invalid("public key: not available")
    static func keyDNSError(_ text: String) -> DKIMVerdict { invalid("public key: DNS error: \(text)", .temperror) }
    static let keySyntaxError = invalid("public key: syntax error")
    static let keyUnsupportedVersion = invalid("public key: unsupported version")
    static let keyUnsupportedType = invalid("public key: unsupported key type")
    static let keyMissingData = invalid("public key: missing p= tag")
    static let keyRevoked = invalid("public key: revoked")
    static let keyInvalidData = invalid("public key: invalid data")
    static func keyOpenSSLError(_ text: String) -> DKIMVerdict { invalid("public key: OpenSSL error: \(text)") }
    static let keyNotForEmail = invalid("public key: does not support email")
    static func keyHashNotAllowed(_ hash: String) -> DKIMVerdict {
        invalid("public key: does not support hash algorithm '\(hash)'")
    }
    static let keyNoSubdomains = invalid("public key: does not support signing subdomains")
    static let keyTypeMismatch = invalid("public key: key type does not match algorithm")
    static func keyTooShort(_ bits: Int) -> DKIMVerdict { fail("Key length \(bits) too short", .policy) }

    // MARK: Cryptography

    static let messageAltered = fail("message has been altered")
    static let badRSASignature = fail("bad RSA signature")
    static let badEd25519Signature = fail("bad Ed25519 signature")
    static let bodyAltered = fail("body has been altered")
    /// OpenSSL could not do its part (no memory, algorithm disabled): our
    /// failure, not the signer's, so a temporary one.
    static func cryptoError(_ text: String) -> DKIMVerdict { fail("OpenSSL error: \(text)", .temperror) }

    /// Mail::DKIM's `result_detail`: the word, then the reason in
    /// parentheses.
    var detail: String {
        reason.map { "\(perlResult) (\($0))" } ?? perlResult
    }
}
