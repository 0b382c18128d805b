/// The outcome of an SPF evaluation, with what the handler and the logs
/// need to say why.
public struct SPFResult: Hashable, Sendable {
    public var code: SPFResultCode
    public var request: SPFRequest
    /// Why, in Mail::SPF's words: "Mechanism 'ip4:192.0.2.0/24' matched",
    /// "Default neutral result due to no mechanism matches", a syntax or DNS
    /// error, a limit.
    public var text: String
    /// The mechanism that decided, as Mail::SPF prints it (`-all`,
    /// `include:_spf.example.com`, `a/24`); nil when none matched.
    public var mechanism: String?
    /// For a fail only: the domain's explanation (`exp=`), or the default.
    /// Written by the sender's domain: do not trust it (section 10.5).
    public var explanation: String?
    /// The domain whose record decided (an include or redirect target, or
    /// the checked domain).
    public var authorityDomain: String
    /// The domain the check started at.
    public var rootDomain: String
    /// The decision was made below the top level (through include or
    /// redirect).
    public var isNested: Bool
    /// DNS-querying terms evaluated, void lookups seen, questions asked.
    public var dnsTermCount: Int
    public var voidLookupCount: Int
    public var queryCount: Int

    public init(code: SPFResultCode, request: SPFRequest, text: String, mechanism: String? = nil,
                explanation: String? = nil, authorityDomain: String, rootDomain: String, isNested: Bool = false,
                dnsTermCount: Int = 0, voidLookupCount: Int = 0, queryCount: Int = 0) {
        self.code = code
        self.request = request
        self.text = text
        self.mechanism = mechanism
        self.explanation = explanation
        self.authorityDomain = authorityDomain
        self.rootDomain = rootDomain
        self.isNested = isNested
        self.dnsTermCount = dnsTermCount
        self.voidLookupCount = voidLookupCount
        self.queryCount = queryCount
    }

    /// Mail::SPF's local explanation, the comment of `Received-SPF`:
    /// `example.com: Sender is authorized to use 'a@example.com' in 'mfrom'
    /// identity (mechanism 'mx' matched)`, prefixed `root ... target:` when
    /// an include or redirect decided; control and non-ASCII bytes as `\xNN`.
    public var localExplanation: String {
        var body = text
        if let mechanism, let template = SPFResult.templates[code] {
            var filled = template.substituting("%{s}", with: request.identity)
                .substituting("%{_scope}", with: request.scope.rawValue)
            // Mail::SPF names the client for the address-matching
            // mechanisms and says "by default" for `all` (checked against
            // Debian's Mail::SPF 2.009).
            switch SPFResult.mechanismName(mechanism) {
            case "ip4", "ip6", "a", "mx", "ptr":
                if filled.hasPrefix("Sender ") {
                    filled = request.ip.unmapped.description + filled.dropFirst("Sender".count)
                }
            case "all":
                if code != .neutral {
                    filled = filled.substituting("authorized to use", with: "authorized by default to use", maxReplacements: 1)
                }
            default:
                break
            }
            body = filled + " (" + SPFResult.lowercasingFirst(text) + ")"
        }
        let head = isNested ? "\(rootDomain) ... \(authorityDomain)" : authorityDomain
        return SPFText.sanitized(head + ": " + body)
    }

    /// One line for the log: result, identity, client, deciding domain,
    /// reason and the work it took.
    public var logLine: String {
        "spf=\(code) \(request.scope.rawValue)=\(request.identity) ip=\(request.ip.unmapped) "
            + "domain=\(authorityDomain) (\(SPFText.sanitized(text))) terms=\(dnsTermCount) void=\(voidLookupCount) queries=\(queryCount)"
    }

    /// Mail::SPF's local explanation templates, by the result a matching
    /// mechanism gave.
    static let templates: [SPFResultCode: String] = [
        .pass: "Sender is authorized to use '%{s}' in '%{_scope}' identity",
        .fail: "Sender is not authorized to use '%{s}' in '%{_scope}' identity",
        .softfail: "Sender is not authorized to use '%{s}' in '%{_scope}' identity, however domain is not currently prepared for false failures",
        .neutral: "Domain does not state whether sender is authorized to use '%{s}' in '%{_scope}' identity",
    ]

    /// `ip4` of `-ip4:192.0.2.0/24`, `a` of `a/24`, `all` of `~all`.
    static func mechanismName(_ mechanism: String) -> String {
        var text = Substring(mechanism)
        if let first = text.first, "+-~?".contains(first) { text = text.dropFirst() }
        let end = text.firstIndex(where: { $0 == ":" || $0 == "/" }) ?? text.endIndex
        return text[..<end].lowercased()
    }

    /// Perl's `lcfirst`.
    static func lowercasingFirst(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }
}
