/// A signature's result in the RFC 8601 section 2.7.1 vocabulary (the
/// values an `Authentication-Results` `dkim=` may take).
///
/// What this verifier produces:
/// - `pass`: signature and body hash verified.
/// - `fail`: the signature or the body hash did not verify.
/// - `policy`: cryptographically fine or not, the signature is refused by
///   local policy: an RSA key below `minimumRSAKeyBits` (RFC 8301 section
///   3.2).
/// - `permerror`: the signature cannot be checked and never will be:
///   malformed or missing tags, unsupported version, algorithm,
///   canonicalization or query method, rsa-sha1 while RFC 8301 rules apply
///   ("permanently failed evaluation", section 3.1), From not signed, `i=`
///   outside `d=`, expired, no key, revoked or malformed key record.
/// - `temperror`: the key lookup failed for a reason that may pass
///   (SERVFAIL, timeout, other resolver errors).
/// - `neutral` and `none` are never produced per signature: `none` is what
///   a message without signatures gets (no results at all), `neutral` is
///   here for callers that map other outcomes.
public enum DKIMResult: String, Sendable, Hashable, CaseIterable {
    case pass
    case fail
    case neutral
    case policy
    case permerror
    case temperror
    case none
}
