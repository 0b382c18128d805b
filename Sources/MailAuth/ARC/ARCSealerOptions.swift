/// Who seals and what the ARC-Message-Signature covers.
public struct ARCSealerOptions: Sendable {
    /// `d=` of both signatures.
    public var domain: String
    /// `s=` of both signatures.
    public var selector: String
    /// `a=`; nil signs with the key's default (rsa-sha256, ed25519-sha256).
    /// rsa-sha1 is refused (RFC 8301).
    public var algorithm: DKIMAlgorithm?
    /// Names the ARC-Message-Signature covers, each once per field present
    /// (case-insensitive, order kept). ARC fields and
    /// Authentication-Results may not be listed (RFC 8617 section 4.1.2).
    public var signedHeaders: [String]
    /// Names signed once more than they occur (RFC 6376 section 8.15).
    /// None by default, as Mail::DKIM's ARC signer.
    public var overSignedHeaders: [String]
    /// `c=` of the ARC-Message-Signature (the seal is always relaxed).
    public var headerCanonicalization: Canonicalization
    public var bodyCanonicalization: Canonicalization
    /// Folding width of the produced fields; 0 for one line each.
    public var foldWidth: Int
    /// `t=` of both signatures.
    public var clock: DKIMClock

    public init(domain: String, selector: String, algorithm: DKIMAlgorithm? = nil,
                signedHeaders: [String] = ARCSealerOptions.defaultSignedHeaders, overSignedHeaders: [String] = [],
                headerCanonicalization: Canonicalization = .relaxed, bodyCanonicalization: Canonicalization = .relaxed,
                foldWidth: Int = 78, clock: DKIMClock = .system) {
        self.domain = domain
        self.selector = selector
        self.algorithm = algorithm
        self.signedHeaders = signedHeaders
        self.overSignedHeaders = overSignedHeaders
        self.headerCanonicalization = headerCanonicalization
        self.bodyCanonicalization = bodyCanonicalization
        self.foldWidth = foldWidth
        self.clock = clock
    }

    /// Mail::DKIM's ARC signer defaults (what the Perl milter's ARC sealing
    /// signs unless `arcseal_headers` adds more), plus DKIM-Signature:
    /// RFC 8617 section 4.1.2 says the AMS SHOULD cover the DKIM signatures
    /// already present.
    public static let defaultSignedHeaders: [String] = [
        "from", "sender", "reply-to", "subject", "date", "message-id", "to", "cc", "mime-version",
        "content-type", "content-transfer-encoding", "content-id", "content-description",
        "resent-date", "resent-from", "resent-sender", "resent-to", "resent-cc", "resent-message-id",
        "in-reply-to", "references",
        "list-id", "list-help", "list-unsubscribe", "list-subscribe", "list-post", "list-owner", "list-archive",
        "dkim-signature",
    ]

    /// Fields an ARC-Message-Signature must not cover (RFC 8617 section
    /// 4.1.2): the ARC fields, and Authentication-Results, which
    /// downstream ADMDs delete.
    public static let forbiddenSignedHeaders: [String] = [
        "arc-authentication-results", "arc-message-signature", "arc-seal", "authentication-results",
    ]
}
