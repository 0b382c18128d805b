/// What a signature says and covers.
public struct DKIMSignerOptions: Sendable {
    /// `d=`.
    public var domain: String
    /// `s=`.
    public var selector: String
    /// `i=`; must be in `domain` (`@domain` or `user@sub.domain`).
    public var identity: String?
    /// `a=`; nil signs with the key's default (rsa-sha256, ed25519-sha256).
    /// rsa-sha1 is accepted only when asked for here: RFC 8301 forbids
    /// signing with it, tests need such signatures.
    public var algorithm: DKIMAlgorithm?
    public var headerCanonicalization: Canonicalization
    public var bodyCanonicalization: Canonicalization
    /// Names to sign, each once per field present (case-insensitive, order
    /// kept). Must contain From (RFC 6376 section 5.4).
    public var signedHeaders: [String]
    /// Names signed once more than they occur, so a field of that name
    /// added later breaks the signature (RFC 6376 section 8.15). Only
    /// names also in `signedHeaders` are over-signed.
    public var overSignedHeaders: [String]
    /// Add `t=` (now).
    public var includeTimestamp: Bool
    /// Add `x=` this many seconds after now.
    public var expiresAfter: Int64?
    /// Add `l=` (the whole canonical body length). Discouraged (RFC 6376
    /// section 8.2), for interoperability tests.
    public var includeBodyLength: Bool
    /// Folding width of the produced field; 0 for one line.
    public var foldWidth: Int
    public var clock: DKIMClock

    public init(domain: String, selector: String, identity: String? = nil, algorithm: DKIMAlgorithm? = nil,
                headerCanonicalization: Canonicalization = .relaxed, bodyCanonicalization: Canonicalization = .relaxed,
                signedHeaders: [String] = DKIMSignerOptions.defaultSignedHeaders,
                overSignedHeaders: [String] = DKIMSignerOptions.defaultOverSignedHeaders,
                includeTimestamp: Bool = true, expiresAfter: Int64? = nil, includeBodyLength: Bool = false,
                foldWidth: Int = 78, clock: DKIMClock = .system) {
        self.domain = domain
        self.selector = selector
        self.identity = identity
        self.algorithm = algorithm
        self.headerCanonicalization = headerCanonicalization
        self.bodyCanonicalization = bodyCanonicalization
        self.signedHeaders = signedHeaders
        self.overSignedHeaders = overSignedHeaders
        self.includeTimestamp = includeTimestamp
        self.expiresAfter = expiresAfter
        self.includeBodyLength = includeBodyLength
        self.foldWidth = foldWidth
        self.clock = clock
    }

    /// RFC 6376 section 5.4.1's list, plus the identifying and MIME
    /// fields whose change alters what a reader sees.
    public static let defaultSignedHeaders: [String] = [
        "from", "reply-to", "subject", "date", "to", "cc", "message-id",
        "resent-date", "resent-from", "resent-to", "resent-cc", "in-reply-to", "references",
        "list-id", "list-help", "list-unsubscribe", "list-subscribe", "list-post", "list-owner", "list-archive",
        "mime-version", "content-type", "content-transfer-encoding",
    ]

    /// Fields a forger would most like to add a second copy of.
    public static let defaultOverSignedHeaders: [String] = [
        "from", "reply-to", "subject", "date", "to", "cc", "message-id",
        "mime-version", "content-type", "content-transfer-encoding",
    ]
}
