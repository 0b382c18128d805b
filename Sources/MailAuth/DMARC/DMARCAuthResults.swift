/// What the handler adds to a result before it is written: local policy
/// decisions the library does not make (Perl's `hard_reject`,
/// `no_list_reject`, whitelist, ARC override, `detect_list_id`).
public struct DMARCEntryContext: Sendable, Hashable {
    /// The disposition applied after local overrides (`d=`); nil: the
    /// evaluated one.
    public var appliedDisposition: DMARCPolicyAction?
    /// `policy.override-reason` (`local_policy`, `mailing_list`,
    /// `trusted_forwarder`).
    public var overrideReason: String?
    /// `policy.arc-aware-result` (the result with trusted ARC results).
    public var arcAwareResult: String?
    /// Adds `has-list-id=yes` to the comment.
    public var hasListID: Bool
    /// `policy.<name>=<value>` properties from `policy_rbl_lookup`, written
    /// after `policy.policy-from`.
    public var policyProperties: [DMARCPolicyProperty]

    public init(appliedDisposition: DMARCPolicyAction? = nil, overrideReason: String? = nil,
                arcAwareResult: String? = nil, hasListID: Bool = false, policyProperties: [DMARCPolicyProperty] = []) {
        self.appliedDisposition = appliedDisposition
        self.overrideReason = overrideReason
        self.arcAwareResult = arcAwareResult
        self.hasListID = hasListID
        self.policyProperties = policyProperties
    }
}

/// One `policy.<name>=<value>` from the handler's `policy_rbl_lookup`.
public struct DMARCPolicyProperty: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension DMARCResult {
    /// The `dmarc=` entry exactly as the Perl handler builds it
    /// (`_process_dmarc_for`), e.g.
    ///
    ///     dmarc=fail policy.published-domain-policy=reject
    ///       policy.published-subdomain-policy=none
    ///       policy.applied-disposition=quarantine
    ///       policy.evaluated-disposition=reject
    ///       policy.override-reason=local_policy
    ///       (p=reject,sp=none,d=quarantine,d.eval=reject,override=local_policy)
    ///       policy.policy-from=p header.from=example.com
    ///
    /// `sp` parts appear only when `sp` is published; `policy.policy-from`
    /// is `sp` when the record came from the Organizational Domain and
    /// has `sp` (`np` when `np` was applied), else `p`. A temperror is the
    /// bare `dmarc=temperror header.from=<domain>` the handler writes when
    /// the check dies; a permerror `dmarc=permerror (from header invalid)
    /// header.from=<domain>` (the comment is the reason: `multiple DMARC
    /// records` under RFC 7489 discovery).
    public func authResultsEntry(_ context: DMARCEntryContext = DMARCEntryContext()) -> AuthResultsEntry {
        switch code {
        case .temperror:
            return AuthResultsEntry(method: "dmarc", result: "temperror",
                                    properties: [AuthResultsProperty(key: "header.from", value: fromDomain)])
        case .permerror:
            return AuthResultsEntry(method: "dmarc", result: "permerror", parts: [
                .comment(AuthResultsComment(reasons.first?.comment ?? "from header invalid")),
                .property(AuthResultsProperty(key: "header.from", value: fromDomain)),
            ])
        case .pass, .fail, .none:
            break
        }
        let applied = (context.appliedDisposition ?? disposition).rawValue
        let evaluated = disposition.rawValue
        var comments: [String] = []
        var parts: [AuthResultsEntry.Part] = []
        func add(_ key: String, _ short: String, _ value: String) {
            comments.append(Self.headerEntry(short, value))
            parts.append(.property(AuthResultsProperty(key: key, value: value)))
        }
        add("policy.published-domain-policy", "p", publishedPolicy)
        if let sp = publishedSubdomainPolicy { add("policy.published-subdomain-policy", "sp", sp) }
        if context.hasListID { comments.append("has-list-id=yes") }
        add("policy.applied-disposition", "d", applied)
        add("policy.evaluated-disposition", "d.eval", evaluated)
        if let reason = context.overrideReason, !reason.isEmpty { add("policy.override-reason", "override", reason) }
        if let arc = context.arcAwareResult, !arc.isEmpty { add("policy.arc-aware-result", "arc_aware_result", arc) }
        parts.append(.comment(AuthResultsComment(comments.joined(separator: ","))))
        let policyFrom: String
        if policySource == .np { policyFrom = "np" } else { policyFrom = isSubdomain && publishedSubdomainPolicy != nil ? "sp" : "p" }
        parts.append(.property(AuthResultsProperty(key: "policy.policy-from", value: policyFrom)))
        for property in context.policyProperties {
            parts.append(.property(AuthResultsProperty(key: "policy." + property.name, value: property.value)))
        }
        parts.append(.property(AuthResultsProperty(key: "header.from", value: fromDomain)))
        return AuthResultsEntry(method: "dmarc", result: code.rawValue, parts: parts)
    }

    /// Perl's `format_header_entry`: key and value with tabs, line breaks,
    /// parentheses, backslashes and spaces removed, `;` made `_`.
    static func headerEntry(_ key: String, _ value: String) -> String {
        func clean(_ text: String) -> String {
            // Nothing to drop or replace (the usual domain or word): as it
            // is. Every character looked for is ASCII.
            let special = text.utf8.contains { byte in
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "("),
                     UInt8(ascii: ")"), UInt8(ascii: "\\"), UInt8(ascii: ";"):
                    true
                default:
                    false
                }
            }
            if !special { return text }
            return String(text.compactMap { c -> Character? in
                switch c {
                case " ", "\t", "\n", "\r", "(", ")", "\\", "\r\n": return nil
                case ";": return "_"
                default: return c
                }
            })
        }
        return clean(key) + "=" + clean(value)
    }

    /// The Perl handler's order of its `dmarc` entries in a header
    /// (`handler_header_sort`): fail, then none, then the rest; within a
    /// result reject, then quarantine, then the rest (by applied
    /// disposition); then bytewise by the entry's text.
    public static func perlEntryOrder(_ a: AuthResultsEntry, _ b: AuthResultsEntry) -> Bool {
        perlEntryOrder(a, sortKey: a.sortKey, b, sortKey: b.sortKey)
    }

    /// The same with each entry's `sortKey` already rendered, for a caller
    /// sorting many entries (rendering is the costly part).
    public static func perlEntryOrder(_ a: AuthResultsEntry, sortKey aKey: String,
                                      _ b: AuthResultsEntry, sortKey bKey: String) -> Bool {
        func rank(_ result: String) -> Int { result == "fail" ? 0 : (result == "none" ? 1 : 2) }
        func applied(_ entry: AuthResultsEntry) -> String {
            entry.properties.first { $0.key == "policy.applied-disposition" }?.value ?? ""
        }
        func dispositionRank(_ value: String) -> Int { value == "reject" ? 0 : (value == "quarantine" ? 1 : 2) }
        if a.result != b.result, rank(a.result) != rank(b.result) { return rank(a.result) < rank(b.result) }
        let (da, db) = (applied(a), applied(b))
        if da != db, dispositionRank(da) != dispositionRank(db) { return dispositionRank(da) < dispositionRank(db) }
        return aKey.utf8.lexicographicallyPrecedes(bKey.utf8)
    }
}
