/// The outcome of one DMARC evaluation: the result, the disposition the
/// published policy asks for, and everything an aggregate report row
/// needs (RFC 7489 appendix C: `policy_published`, `policy_evaluated`,
/// identifiers, auth results).
public struct DMARCResult: Sendable, Hashable {
    /// The RFC5322.From domain, normalized (lowercase, A-labels); as given
    /// (lowercased) when it was not a usable domain name.
    public var fromDomain: String
    /// Its Organizational Domain (public suffix list, or the tree walk).
    public var organizationalDomain: String
    public var code: DMARCResultCode
    /// The disposition the policy asks for (Perl's evaluated disposition):
    /// `none` unless the result is `fail` under a quarantine or reject
    /// policy that was not sampled out.
    public var disposition: DMARCPolicyAction
    /// The policy record found (Mail::DMARC's `published`), also when it
    /// was unusable (an invalid `p` without `rua`).
    public var record: DMARCRecord?
    /// Where the record was found (`example.com` for `_dmarc.example.com`).
    public var policyDomain: String?
    /// The record was found but not applied: an invalid `p`, `sp` or `np`
    /// and no valid `rua` (section 6.6.3 step 6 B: no action). The entry
    /// then shows `p=none`, what was applied.
    public var recordIgnored: Bool = false
    /// Whether the record came from another domain than the From domain
    /// (Mail::DMARC's `is_subdomain`): `sp` (and `np`) apply then.
    public var isSubdomain: Bool
    /// The tag whose policy was applied to a failure; nil otherwise.
    public var policySource: DMARCPolicySource?
    /// DKIM: whether a passing signature aligned, how, and which.
    public var dkimAligned: Bool
    public var dkimAlignment: DMARCAlignment?
    public var alignedDKIM: DMARCDKIMInput?
    /// SPF: whether a passing result aligned, how, and which.
    public var spfAligned: Bool
    public var spfAlignment: DMARCAlignment?
    public var alignedSPF: DMARCSPFInput?
    /// Why the disposition differs from the policy, or why there is no
    /// policy (`other` with "no policy", "too many policies", ...).
    public var reasons: [DMARCPolicyOverrideReason]
    /// The inputs, as given, for the report's `auth_results`.
    public var spfResults: [DMARCSPFInput]
    public var dkimResults: [DMARCDKIMInput]

    public init(fromDomain: String, organizationalDomain: String, code: DMARCResultCode,
                disposition: DMARCPolicyAction = .none, record: DMARCRecord? = nil, policyDomain: String? = nil,
                isSubdomain: Bool = false, policySource: DMARCPolicySource? = nil,
                dkimAligned: Bool = false, dkimAlignment: DMARCAlignment? = nil, alignedDKIM: DMARCDKIMInput? = nil,
                spfAligned: Bool = false, spfAlignment: DMARCAlignment? = nil, alignedSPF: DMARCSPFInput? = nil,
                reasons: [DMARCPolicyOverrideReason] = [], spfResults: [DMARCSPFInput] = [], dkimResults: [DMARCDKIMInput] = []) {
        self.fromDomain = fromDomain
        self.organizationalDomain = organizationalDomain
        self.code = code
        self.disposition = disposition
        self.record = record
        self.policyDomain = policyDomain
        self.isSubdomain = isSubdomain
        self.policySource = policySource
        self.dkimAligned = dkimAligned
        self.dkimAlignment = dkimAlignment
        self.alignedDKIM = alignedDKIM
        self.spfAligned = spfAligned
        self.spfAlignment = spfAlignment
        self.alignedSPF = alignedSPF
        self.reasons = reasons
        self.spfResults = spfResults
        self.dkimResults = dkimResults
    }

    /// `p` as applied: the published policy when it is one of none,
    /// quarantine, reject; "none" without a record or when `p` is missing
    /// or invalid (RFC 7489 section 6.6.3 step 6, RFC 9989 section 4.7: such
    /// a record acts as `p=none`, or as no policy at all without a valid
    /// `rua`). Never the published garbage (`p=bogus`).
    public var publishedPolicy: String { recordIgnored ? "none" : record?.requestedPolicy?.rawValue ?? "none" }

    /// `sp` when published and valid (nil: the Perl handler's "default";
    /// an invalid `sp` is dropped, as discovery drops it).
    public var publishedSubdomainPolicy: String? { recordIgnored ? nil : record?.subdomainPolicy?.rawValue }

    /// The first reason's comment, for logs ("no policy", "too many
    /// policies", "example.com not in DNS", ...).
    public var reasonText: String? { reasons.first.map { $0.comment ?? $0.type.rawValue } }
}
