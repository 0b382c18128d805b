/// How strict the verifier is. The defaults are RFC 8301's rules, which
/// are also what the Perl milter applies (it runs Mail::DKIM with
/// `Strict => 1` unless its DKIM handler's `no_strict` is set).
public struct DKIMVerifierOptions: Sendable {
    /// RSA keys with fewer bits give `policy` ("Key length N too short").
    /// RFC 8301 section 3.2: 1024.
    public var minimumRSAKeyBits: Int
    /// Verify rsa-sha1 signatures instead of failing them (the Perl
    /// handler's `no_strict`). RFC 8301 section 3.1 says they have failed.
    public var allowSHA1: Bool
    /// Signatures after this many are ignored, as Mail::DKIM ignores them
    /// after 50: a message with thousands of signatures must not cost
    /// thousands of DNS lookups and RSA operations.
    public var maximumSignatures: Int
    /// "Now", for `x=`.
    public var clock: DKIMClock

    public init(minimumRSAKeyBits: Int = 1024, allowSHA1: Bool = false, maximumSignatures: Int = 50,
                clock: DKIMClock = .system) {
        self.minimumRSAKeyBits = minimumRSAKeyBits
        self.allowSHA1 = allowSHA1
        self.maximumSignatures = maximumSignatures
        self.clock = clock
    }

    /// Mail::DKIM without `Strict`: rsa-sha1 verified, any key size.
    public static var lenient: DKIMVerifierOptions {
        DKIMVerifierOptions(minimumRSAKeyBits: 0, allowSHA1: true)
    }
}
