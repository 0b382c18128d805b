/// How strict ARC verification is. The signature rules are the DKIM
/// verifier's (RFC 8301 by default); ARC adds none of its own.
public struct ARCVerifierOptions: Sendable {
    /// RSA keys with fewer bits fail the signature (and so the chain).
    /// RFC 8301 section 3.2: 1024.
    public var minimumRSAKeyBits: Int
    /// Verify rsa-sha1 signatures instead of failing them (the Perl ARC
    /// handler's `no_strict`).
    public var allowSHA1: Bool
    /// Work out `header.oldest-pass` (RFC 8617 section 5.2 step 5, which
    /// is optional): every older ARC-Message-Signature is verified too.
    public var computeOldestPass: Bool
    /// "Now", for `x=` of ARC-Message-Signatures.
    public var clock: DKIMClock

    public init(minimumRSAKeyBits: Int = 1024, allowSHA1: Bool = false, computeOldestPass: Bool = true,
                clock: DKIMClock = .system) {
        self.minimumRSAKeyBits = minimumRSAKeyBits
        self.allowSHA1 = allowSHA1
        self.computeOldestPass = computeOldestPass
        self.clock = clock
    }

    /// The same rules in the form the DKIM checks take.
    var dkimOptions: DKIMVerifierOptions {
        DKIMVerifierOptions(minimumRSAKeyBits: minimumRSAKeyBits, allowSHA1: allowSHA1, clock: clock)
    }
}
