/// How DMARC is evaluated. The defaults are RFC 7489 as the Perl
/// milter's Mail::DMARC applies it.
public struct DMARCOptions: Sendable {
    /// How the policy record and the Organizational Domain are found.
    public enum Discovery: Sendable, Hashable {
        /// RFC 7489 section 6.6.3: `_dmarc.<From domain>`, else
        /// `_dmarc.<Organizational Domain>` from the public suffix list.
        case rfc7489
        /// RFC 9989 (DMARCbis) section 4.10 DNS tree walk: up to 8
        /// `_dmarc` names from the From domain towards the root, `psd=`
        /// anchors; `pct` ignored, `t=y` honoured; HELO-scope SPF ignored.
        case treeWalk
    }

    public var discovery: Discovery
    /// RFC 9091 `np`: the policy for a subdomain that does not exist
    /// (NXDOMAIN for A, AAAA, MX and NS). Off by default (RFC 7489 has no
    /// `np`; the tag is then ignored like any unknown tag).
    public var applyNonExistentDomainPolicy: Bool
    /// Look up MX, NS, A, AAAA of the From domain and its Organizational
    /// Domain first, as Mail::DMARC does; when none exists the result is
    /// `none` ("not in DNS"). The lookups go out in the same batch as the
    /// `_dmarc` queries.
    public var checkDomainExistence: Bool
    /// The pct draw: an integer in 0..<100; the policy applies when it is
    /// below `pct` (Mail::DMARC's `int(rand(100)) < pct`). Tests inject a
    /// fixed value.
    public var percentDraw: @Sendable () -> Int
    /// At most this many DKIM results are looked at (Mail::DKIM's 50
    /// signatures); the rest are ignored.
    public var maximumDKIMResults: Int
    /// At most this many SPF results are looked at.
    public var maximumSPFResults: Int

    public init(discovery: Discovery = .rfc7489,
                applyNonExistentDomainPolicy: Bool = false,
                checkDomainExistence: Bool = true,
                percentDraw: @escaping @Sendable () -> Int = { Int.random(in: 0..<100) },
                maximumDKIMResults: Int = 50,
                maximumSPFResults: Int = 10) {
        self.discovery = discovery
        self.applyNonExistentDomainPolicy = applyNonExistentDomainPolicy
        self.checkDomainExistence = checkDomainExistence
        self.percentDraw = percentDraw
        self.maximumDKIMResults = maximumDKIMResults
        self.maximumSPFResults = maximumSPFResults
    }
}
