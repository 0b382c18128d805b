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
        return AuthResultsEntry(method: "bimi", result: result, parts: parts)
    }
}
