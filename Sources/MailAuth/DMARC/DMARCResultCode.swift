/// The DMARC result (RFC 8601 section 2.7.1 `dmarc=`).
public enum DMARCResultCode: String, Sendable, Hashable {
    /// An identifier aligned with a pass.
    case pass
    /// A policy was found and nothing aligned.
    case fail
    /// No (usable) policy: no record, several records, an invalid record
    /// without a valid `rua`, or a From domain with no DNS presence.
    case none
    /// A DNS failure that may go away (SERVFAIL, timeout) stopped discovery.
    case temperror
    /// The From domain is not a usable domain name, or (RFC 7489
    /// discovery) several DMARC records were published at one name.
    case permerror
}

/// Which tag gave the policy applied to a failing message.
public enum DMARCPolicySource: String, Sendable, Hashable {
    case p
    case sp
    case np
}

/// Why a disposition differs from the published policy (RFC 7489
/// appendix C `PolicyOverrideType`), with an optional comment; the
/// aggregate report's `<reason>`.
public struct DMARCPolicyOverrideReason: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case forwarded
        case sampledOut = "sampled_out"
        /// RFC 9990: the disposition was lowered because of `t=y`.
        case policyTestMode = "policy_test_mode"
        case trustedForwarder = "trusted_forwarder"
        case mailingList = "mailing_list"
        case localPolicy = "local_policy"
        case other
    }

    public var type: Kind
    public var comment: String?

    public init(type: Kind, comment: String? = nil) {
        self.type = type
        self.comment = comment
    }
}
