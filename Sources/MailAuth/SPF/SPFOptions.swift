/// The knobs of an evaluation. The defaults are RFC 7208's limits and
/// Mail::SPF's texts; the conformance test changes only the default
/// explanation (to "DEFAULT", as the suite's own Perl driver does).
public struct SPFOptions: Sendable {
    /// Terms that query DNS (include, a, mx, ptr, exists, redirect) per
    /// check; one more is a permerror (section 4.6.4).
    public var maximumDNSTerms: Int = 10
    /// Terms whose lookups came back empty (NXDOMAIN or no records); one
    /// more is a permerror. nil: no limit (section 4.6.4 says SHOULD 2).
    public var maximumVoidLookups: Int? = 2
    /// MX records an `mx` mechanism may have; more is a permerror.
    public var maximumMXNames: Int = 10
    /// PTR names a `ptr` mechanism or `%{p}` validates; the rest are ignored.
    public var maximumPTRNames: Int = 10
    /// The host doing the check: the `r` macro and `receiver=`.
    public var receiver: String = "unknown"
    /// Used when a fail has no usable `exp=`. `%{_scope}` is Mail::SPF's
    /// pseudo macro for the identity's scope (`mfrom`, `helo`).
    public var defaultExplanation: String =
        "Please see http://www.openspf.org/Why?s=%{_scope};id=%{S};ip=%{C};r=%{R}"
    /// Longest macro expansion kept (explanations are cut there; domain
    /// targets keep their right end, which is what truncation keeps).
    public var maximumExpansionLength: Int = 8192
    /// Sender ID (`pra` scope) only: with no `spf2.0` record at a domain,
    /// read its `v=spf1` record as `spf2.0/mfrom,pra` (RFC 4406 section
    /// 3.4). Off by default, as Mail::SPF (and so the Perl milter) does.
    public var senderIDFallsBackToVersion1 = false
    /// Seconds since the epoch for `%{t}`.
    public var timestamp: @Sendable () -> Int = SPFOptions.systemTime

    public init() {}

    public static let systemTime: @Sendable () -> Int = { SPFClock.now() }
}
