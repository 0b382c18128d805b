/// The outcome of validating a message's Authenticated Received Chain
/// (RFC 8617 section 5.2).
public struct ARCVerifierResult: Sendable, Hashable {
    /// The Chain Validation Status: `none` (no ARC header field), `pass`
    /// or `fail`. Every error, DNS failures included, is a `fail` (RFC 8617
    /// section 5.2.1).
    public var status: ARCChainStatus
    /// Why the chain failed: the first failing step of RFC 8617 section
    /// 5.2, e.g. "missing ARC-Seal i=2", "ARC-Seal i=1: fail (bad RSA
    /// signature)". Nil for `pass` and `none`.
    public var reason: String?
    /// N, the highest instance of the chain when its structure is valid;
    /// otherwise the highest instance any ARC field claims (0 for none).
    public var instanceCount: Int
    /// `header.oldest-pass` (RFC 8617 section 6): the lowest instance from
    /// which every ARC-Message-Signature up to N still verifies, 0 when all
    /// do. Only for a passing chain, and only with
    /// `ARCVerifierOptions.computeOldestPass`.
    public var oldestPass: Int?
    /// `cv=` of the newest ARC-Seal, when readable. A sealer must not add
    /// a set after a seal that says `fail` (RFC 8617 section 5.1 step 2).
    public var latestSealStatus: ARCChainStatus?
    /// Every ARC-Authentication-Results of a structurally valid chain, by
    /// instance (1 first), whatever the status: use them only when
    /// `status` is `pass`.
    public var authenticationResults: [ARCAuthenticationResultsRecord]
    /// Every ARC-Message-Signature and ARC-Seal of a structurally valid
    /// chain, newest instance first, seal before message signature.
    /// Empty when the structure is broken (nothing is verified then).
    public var signatures: [ARCSignatureResult]

    public init(status: ARCChainStatus, reason: String? = nil, instanceCount: Int = 0, oldestPass: Int? = nil,
                latestSealStatus: ARCChainStatus? = nil, authenticationResults: [ARCAuthenticationResultsRecord] = [],
                signatures: [ARCSignatureResult] = []) {
        self.status = status
        self.reason = reason
        self.instanceCount = instanceCount
        self.oldestPass = oldestPass
        self.latestSealStatus = latestSealStatus
        self.authenticationResults = authenticationResults
        self.signatures = signatures
    }

    /// The ARC-Seal domain (`d=`) of an instance: the sealer whose
    /// assessment that instance's ARC-Authentication-Results carries.
    public func sealDomain(instance: Int) -> String? {
        signatures.first { $0.kind == .seal && $0.instance == instance }?.domain
    }

    /// The ARC-Authentication-Results of an instance.
    public func authenticationResults(instance: Int) -> ARCAuthenticationResultsRecord? {
        authenticationResults.first { $0.instance == instance }
    }

    /// A one-line account in Mail::DKIM's style, for logs and A-R
    /// comments: `pass (as.2.example.com=pass, ams.2.example.com=pass, ...)`,
    /// `fail (missing ARC-Seal i=1)`, `none`.
    public var detail: String {
        switch status {
        case .none:
            return "none"
        case .pass, .fail:
            var items = signatures.map(\.summary)
            if items.isEmpty, let reason { items = [reason] }
            return items.isEmpty ? status.rawValue : "\(status.rawValue) (\(items.joined(separator: ", ")))"
        }
    }
}
