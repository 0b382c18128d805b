/// The verdict on one DKIM-Signature field, with what a report needs
/// about it. Fields describing the signature are filled in even when it is
/// unusable, as far as they could be read.
public struct DKIMSignatureResult: Sendable, Hashable {
    /// RFC 8601 result.
    public var result: DKIMResult
    /// Mail::DKIM's word for it: "pass", "fail" or "invalid".
    public var perlResult: String
    /// Why it did not pass ("body has been altered", "public key: not
    /// available"), nil for a pass.
    public var reason: String?
    /// Mail::DKIM's `result_detail`: "pass", "fail (body has been
    /// altered)", "invalid (public key: revoked)".
    public var detail: String

    /// `d=`, lowercased.
    public var domain: String?
    /// `i=` decoded, or `@` followed by `d=` when the signature has none.
    public var identity: String?
    /// `s=`.
    public var selector: String?
    /// `a=`, lowercased, as written (may be an unknown algorithm).
    public var algorithm: String?
    /// "sha256" or "sha1" for a known `a=`.
    public var hashAlgorithm: String?
    /// "rsa" or "ed25519", when the public key was loaded.
    public var keyType: String?
    /// The public key's size in bits, when it was loaded.
    public var keyBits: Int?
    /// The first 8 characters of `b=` (RFC 6008 `header.b`).
    public var headerB: String
    /// `c=` as "header/body", when valid.
    public var canonicalization: String?
    /// `h=`, lowercased, in order.
    public var signedHeaders: [String]
    /// Names listed in `h=` more often than the message has such fields
    /// (over-signing, which stops fields from being added), lowercased,
    /// each once.
    public var overSignedHeaders: [String]
    /// The key record says the domain is testing DKIM (`t=y`): RFC 6376
    /// section 3.6.1 says to treat the message as unsigned whatever the
    /// result.
    public var testing: Bool
    /// `l=`, if any.
    public var bodyLengthLimit: UInt64?
    /// Canonical body bytes after the `l=` limit, which the signature does
    /// not cover (nil without `l=` or when the body was not hashed).
    public var unsignedBodyBytes: UInt64?
    /// `t=` and `x=`, when valid.
    public var timestamp: Int64?
    public var expiration: Int64?
    /// False when the field is not even a tag list. Mail::DKIM leaves such
    /// fields out of its signature list (the Perl milter then reports
    /// "no signatures found" if no other signature exists).
    public var isParseable: Bool

    public var isOverSigned: Bool { !overSignedHeaders.isEmpty }
}
