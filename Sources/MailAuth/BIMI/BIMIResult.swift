/// The outcome of one BIMI evaluation and what the handler writes for it:
/// the `bimi=` entry (Mail::BIMI's `Result::get_authentication_results_object`)
/// and, on a pass, the `BIMI-Location` (and `BIMI-Indicator`) headers.
public struct BIMIResult: Sendable, Equatable {
    /// pass, none, fail, temperror, skipped, declined.
    public var result: String
    /// Why it is not a pass.
    public var reason: BIMIReason?
    /// Where the record was found: the From domain and the selector asked,
    /// or the Organizational Domain and `default` after the fallback.
    public var domain: String
    public var selector: String
    /// `BIMI-Location` on a pass, as Mail::BIMI folds it
    /// (`v=BIMI1;` then `    l=<uri>` and/or `    a=<uri>` on lines of their own).
    public var locationHeader: String?
    /// `BIMI-Indicator` on a pass whose indicator was fetched and checked.
    public var indicatorHeader: String?
    /// When the record's authority was relevant: whether its evidence was
    /// valid, and its URI (`policy.authority`, `policy.authority-uri`).
    public var authority: (valid: Bool, uri: String)?
    /// A pass backed by a valid VMC (`rbl_no_evidence_allowlist` lets it through).
    public var hasValidEvidence = false

    public static func == (a: BIMIResult, b: BIMIResult) -> Bool {
        a.result == b.result && a.reason == b.reason && a.domain == b.domain && a.selector == b.selector
            && a.locationHeader == b.locationHeader && a.indicatorHeader == b.indicatorHeader
            && a.authority?.valid == b.authority?.valid && a.authority?.uri == b.authority?.uri
            && a.hasValidEvidence == b.hasValidEvidence
    }

    public init(result: String, reason: BIMIReason? = nil, domain: String, selector: String,
                locationHeader: String? = nil, indicatorHeader: String? = nil) {
        self.result = result
        self.reason = reason
        self.domain = domain
        self.selector = selector
        self.locationHeader = locationHeader
        self.indicatorHeader = indicatorHeader
    }

    /// A result for `reason`, with its word.
    public init(_ reason: BIMIReason, domain: String, selector: String) {
        self.init(result: reason.result, reason: reason, domain: domain, selector: selector)
    }

    /// `bimi=<result> (<comment>)`, with `header.d` and `header.selector`
    /// on a pass.
    public var authResultsEntry: AuthResultsEntry {
        var parts: [AuthResultsEntry.Part] = []
        if let reason { parts.append(.comment(AuthResultsComment(reason.comment))) }
        if result == "pass" {
            parts.append(.property(AuthResultsProperty(key: "header.d", value: domain)))
            parts.append(.property(AuthResultsProperty(key: "header.selector", value: selector)))
        }
        if let authority {
            parts.append(.property(AuthResultsProperty(key: "policy.authority", value: authority.valid ? "pass" : "fail")))
            parts.append(.property(AuthResultsProperty(key: "policy.authority-uri", value: authority.uri)))
        }
        return AuthResultsEntry(method: "bimi", result: result, parts: parts)
    }
}
