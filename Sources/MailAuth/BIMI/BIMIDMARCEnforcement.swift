/// Whether a DMARC policy is "at enforcement" as BIMI requires it, in
/// Mail::BIMI's words (`_check_dmarc_enforcement_status`): the effective
/// policy (`sp` for a subdomain that has one, else `p`) must be
/// `quarantine` with `pct` 100 (or no `pct`) or `reject`, and a published
/// `sp=none` is never at enforcement. No policy record at all is `NO_DMARC`.
public enum BIMIDMARCEnforcement {
    /// nil when the policy is at enforcement, else the reason it is not.
    public static func reason(record: DMARCRecord?, isSubdomain: Bool) -> BIMIReason? {
        guard let record else { return .noDMARC }
        let policy = record.requestedPolicyText?.lowercased() ?? ""
        let subdomainPolicy = record.subdomainPolicyText?.lowercased() ?? ""
        let effective = isSubdomain && !subdomainPolicy.isEmpty ? subdomainPolicy : policy
        if effective == "quarantine" && (record.percent ?? 100) != 100 { return .dmarcNotEnforcing }
        if effective != "quarantine" && effective != "reject" { return .dmarcNotEnforcing }
        if subdomainPolicy == "none" { return .dmarcNotEnforcing }
        return nil
    }

    /// The same for a DMARC evaluation's published record.
    public static func reason(_ result: DMARCResult) -> BIMIReason? {
        reason(record: result.record, isSubdomain: result.isSubdomain)
    }
}
