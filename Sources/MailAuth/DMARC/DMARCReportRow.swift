/// One evaluated message as an aggregate report will count it (RFC 7489
/// appendix C `record`, plus the `policy_published` it was judged by).
/// Workers build it at the end of a message and hand it to the spool; the
/// report sender groups rows by policy domain and by identical content.
///
/// Only what the report needs is kept: no subject, no local part of any
/// address, no message id.
public struct DMARCReportRow: Sendable, Hashable {
    /// Unique per row (32 lowercase hex digits): stores ignore a row they
    /// already hold, so replaying the spool's journal twice is harmless.
    public var id: String
    /// When the message was evaluated, seconds since the epoch.
    public var arrival: Int64
    /// The domain whose record was applied (`_dmarc.<policyDomain>`).
    public var policyDomain: String
    /// The record as it was when the message arrived.
    public var policy: DMARCReportPolicy
    /// The connecting client.
    public var sourceIP: String
    /// `identifiers`: RFC5322.From domain, envelope from domain (empty for
    /// the null sender), first envelope recipient's domain (nil when the
    /// handler hides it: `hide_report_to`).
    public var headerFrom: String
    public var envelopeFrom: String
    public var envelopeTo: String?
    /// `policy_evaluated`: the disposition applied after local policy, and
    /// the aligned DKIM and SPF outcomes (pass or fail).
    public var disposition: DMARCPolicyAction
    public var dkimAligned: Bool
    public var spfAligned: Bool
    public var reasons: [DMARCPolicyOverrideReason]
    /// `auth_results`: every DKIM and SPF result the evaluation saw.
    public var dkimResults: [DMARCDKIMInput]
    public var spfResults: [DMARCSPFInput]

    public init(id: String, arrival: Int64, policyDomain: String, policy: DMARCReportPolicy, sourceIP: String,
                headerFrom: String, envelopeFrom: String, envelopeTo: String?, disposition: DMARCPolicyAction,
                dkimAligned: Bool, spfAligned: Bool, reasons: [DMARCPolicyOverrideReason] = [],
                dkimResults: [DMARCDKIMInput] = [], spfResults: [DMARCSPFInput] = []) {
        self.id = id
        self.arrival = arrival
        self.policyDomain = policyDomain
        self.policy = policy
        self.sourceIP = sourceIP
        self.headerFrom = headerFrom
        self.envelopeFrom = envelopeFrom
        self.envelopeTo = envelopeTo
        self.disposition = disposition
        self.dkimAligned = dkimAligned
        self.spfAligned = spfAligned
        self.reasons = reasons
        self.dkimResults = dkimResults
        self.spfResults = spfResults
    }
}

/// `policy_published` (RFC 7489 appendix C) and where to send the report.
public struct DMARCReportPolicy: Sendable, Hashable {
    public var adkim: DMARCAlignmentMode
    public var aspf: DMARCAlignmentMode
    /// `p`, `sp` and `np` as published (lowercase); `sp` falls back to `p`
    /// in the report when absent, `np` is left out when absent.
    public var p: String
    public var sp: String?
    public var np: String?
    /// `pct` as published; nil when absent (the report says 100).
    public var pct: Int?
    public var fo: String
    /// `rua` as published: the sender parses and verifies it when sending.
    public var rua: String
    /// RFC 9989 `t=y` (RFC 9990 `testing`); nil in rows written before
    /// it was kept.
    public var testing: Bool?
    /// RFC 9990 `discovery_method`: `psl` or `treewalk`; nil in rows
    /// written before it was kept (the report then leaves it out).
    public var discoveryMethod: String?

    public init(adkim: DMARCAlignmentMode = .relaxed, aspf: DMARCAlignmentMode = .relaxed, p: String, sp: String? = nil,
                np: String? = nil, pct: Int? = nil, fo: String = "0", rua: String, testing: Bool? = nil,
                discoveryMethod: String? = nil) {
        self.adkim = adkim
        self.aspf = aspf
        self.p = p
        self.sp = sp
        self.np = np
        self.pct = pct
        self.fo = fo
        self.rua = rua
        self.testing = testing
        self.discoveryMethod = discoveryMethod
    }

    /// The published record's reporting fields; nil without a `rua` that
    /// names at least one mailto: address (nothing could be sent).
    public init?(record: DMARCRecord, discoveryMethod: String? = nil) {
        guard let rua = record.aggregateReportText,
              record.aggregateReportURIs.contains(where: { $0.scheme == "mailto" }) else { return nil }
        self.init(adkim: record.dkimAlignment, aspf: record.spfAlignment, p: record.requestedPolicyText ?? "none",
                  sp: record.subdomainPolicyText, np: record.nonExistentPolicyText, pct: record.percent,
                  fo: record.failureOptions.joined(separator: ":"), rua: rua, testing: record.testing,
                  discoveryMethod: discoveryMethod)
    }
}

extension DMARCReportRow {
    /// The row for one evaluation, or nil when the policy asks for no
    /// aggregate report (no record, or no mailto: `rua`).
    public init?(result: DMARCResult, id: String, arrival: Int64, sourceIP: String, envelopeFrom: String,
                 envelopeTo: String?, appliedDisposition: DMARCPolicyAction, discoveryMethod: String? = nil) {
        guard let record = result.record, let policyDomain = result.policyDomain,
              let policy = DMARCReportPolicy(record: record, discoveryMethod: discoveryMethod) else { return nil }
        self.init(id: id, arrival: arrival, policyDomain: policyDomain, policy: policy, sourceIP: sourceIP,
                  headerFrom: result.fromDomain, envelopeFrom: envelopeFrom, envelopeTo: envelopeTo,
                  disposition: appliedDisposition, dkimAligned: result.dkimAligned, spfAligned: result.spfAligned,
                  reasons: result.reasons, dkimResults: result.dkimResults, spfResults: result.spfResults)
    }
}
