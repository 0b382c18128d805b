/// How DMARC is evaluated. The defaults are those of the newest
/// Mail::DMARC (1.20260612 and later, "implement RFC 9989"): the RFC 9989
/// DNS tree walk with `np`, `psd` and `t`, `pct` ignored. The RFC 7489
/// form (public suffix list, `pct`) stays selectable.
public struct DMARCOptions: Sendable {
    /// How the policy record and the Organizational Domain are found.
    public enum Discovery: Sendable, Hashable {
        /// RFC 7489 section 6.6.3: `_dmarc.<From domain>`, else
        /// `_dmarc.<Organizational Domain>` from the public suffix list;
        /// `pct` sampling; several records at a name: `permerror`.
        case rfc7489
        /// RFC 9989 section 4.10 DNS tree walk: up to 8 `_dmarc` names
        /// from the From domain towards the root, `psd=` anchors; several
        /// records at one name are discarded and the walk goes on; `pct`
        /// ignored, `t=y` honoured; HELO-scope SPF ignored; relaxed
        /// alignment walks for each identifier (section 4.10.2).
        case treeWalk

        /// The RFC 9990 `discovery_method` word: `psl` or `treewalk`.
        public var reportWord: String {
            switch self {
            case .rfc7489: return "psl"
            case .treeWalk: return "treewalk"
            }
        }
    }

    public var discovery: Discovery
    /// `np` (RFC 9091, RFC 9989 section 4.7): the policy for a subdomain
    /// that does not exist (NXDOMAIN for A, AAAA, MX and NS). On by
    /// default (RFC 9989); under RFC 7489 the tag is otherwise ignored
    /// like any unknown tag.
    public var applyNonExistentDomainPolicy: Bool
    /// Look up MX, NS, A, AAAA of the From domain and its Organizational
    /// Domain first, as Mail::DMARC does; when none exists the result is
    /// `none` ("not in DNS"). The lookups go out in the same batch as the
    /// `_dmarc` queries.
    public var checkDomainExistence: Bool
    /// The pct draw (RFC 7489 only): an integer in 0..<100; the policy
    /// applies when it is below `pct` (Mail::DMARC's `int(rand(100)) <
    /// pct`). Tests inject a fixed value.
    public var percentDraw: @Sendable () -> Int
    /// At most this many DKIM results are looked at (Mail::DKIM's 50
    /// signatures); the rest are ignored.
    public var maximumDKIMResults: Int
    /// At most this many SPF results are looked at.
    public var maximumSPFResults: Int

    public init(discovery: Discovery = .treeWalk,
                applyNonExistentDomainPolicy: Bool = true,
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

    /// The RFC 7489 form as the Perl milter's Mail::DMARC before 2026
    /// applied it: public suffix list, `pct`, no `np`.
    public static func rfc7489(percentDraw: @escaping @Sendable () -> Int = { Int.random(in: 0..<100) }) -> DMARCOptions {
        DMARCOptions(discovery: .rfc7489, applyNonExistentDomainPolicy: false, percentDraw: percentDraw)
    }
}
