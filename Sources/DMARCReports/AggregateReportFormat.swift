/// Which XML an aggregate report is written in (`report_format` in the
/// DMARC handler's block).
public enum AggregateReportFormat: String, Sendable, Hashable, CaseIterable {
    /// RFC 9990 (the default, as the newest Mail::DMARC, 1.20260621 and
    /// later): namespace `urn:ietf:params:xml:ns:dmarc-2.0`, `generator`,
    /// `discovery_method`, `np`, `testing`, no `pct`, disposition `pass`
    /// for a pass under an enforcing policy, DKIM `selector` always, at
    /// most one SPF result and only the `mfrom` scope.
    case rfc9990
    /// RFC 7489 appendix C, no namespace, as the Perl milter sent before
    /// 2026 (for report readers that know no other).
    case rfc7489

    /// The `report_format` value; nil for anything else.
    public init?(configValue: String) {
        self.init(rawValue: configValue.lowercased())
    }

    /// The RFC 9990 XML namespace.
    public static let rfc9990Namespace = "urn:ietf:params:xml:ns:dmarc-2.0"

    /// RFC 9990 `report_metadata/generator`: the software that wrote it.
    public static let generator = "authmilter-swift dmarc_send_reports"
}
