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
        // Written in one buffer, then sanitized once: the same bytes as
        // filling Mail::SPF's template and substituting (issue 12: the
        // template copies were 1% of a message).
        var out: [UInt8] = []
        out.reserveCapacity(96 + text.utf8.count + request.identity.utf8.count)
        if isNested {
            out += rootDomain.utf8
            out += " ... ".utf8
        }
        out += authorityDomain.utf8
        out += ": ".utf8
        if let mechanism, let sentence = SPFResult.sentence(code) {
            let name = SPFResult.mechanismName(mechanism)
            let namesClient = ["ip4", "ip6", "a", "mx", "ptr"].contains(name)
            if namesClient && sentence.subject == "Sender" {
                // Mail::SPF names the client for the address-matching
                // mechanisms (checked against Debian's Mail::SPF 2.009).
                out += request.ip.unmapped.description.utf8
            } else {
                out += sentence.subject.utf8
            }
            out += sentence.verb.utf8
            // ... and says "by default" for `all`.
            if name == "all" && code != .neutral { out += " by default".utf8 }
            out += " to use '".utf8
            out += request.identity.utf8
            out += "' in '".utf8
            out += request.scope.rawValue.utf8
            out += "' identity".utf8
            out += sentence.tail.utf8
            out += " (".utf8
            SPFResult.appendLowercasingFirst(text, to: &out)
            out += ")".utf8
        } else {
            out += text.utf8
        }
        return SPFText.sanitized(out)
    }

    /// One line for the log: result, identity, client, deciding domain,
    /// reason and the work it took.
    public var logLine: String {
        "spf=\(code) \(request.scope.rawValue)=\(request.identity) ip=\(request.ip.unmapped) "
            + "domain=\(authorityDomain) (\(SPFText.sanitized(text))) terms=\(dnsTermCount) void=\(voidLookupCount) queries=\(queryCount)"
    }

    /// Mail::SPF's local explanation templates, by the result a matching
    /// mechanism gave, in the three pieces `localExplanation` joins:
    /// "Sender is authorized to use '%{s}' in '%{_scope}' identity" for a
    /// pass, "... is not authorized ...", for a softfail with ", however
    /// domain is not currently prepared for false failures" after, and
    /// "Domain does not state whether sender is authorized ..." for neutral.
    static func sentence(_ code: SPFResultCode) -> (subject: String, verb: String, tail: String)? {
        switch code {
        case .pass: ("Sender", " is authorized", "")
        case .fail: ("Sender", " is not authorized", "")
        case .softfail: ("Sender", " is not authorized", ", however domain is not currently prepared for false failures")
        case .neutral: ("Domain does not state whether sender", " is authorized", "")
        default: nil
        }
    }

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

    /// `lowercasingFirst(text)`'s bytes appended to `out`; an ASCII first
    /// letter without a String copy.
    static func appendLowercasingFirst(_ text: String, to out: inout [UInt8]) {
        guard let first = text.utf8.first else { return }
        if first < 0x80 {
            out.append(first >= 0x41 && first <= 0x5a ? first + 0x20 : first)
            out += text.utf8.dropFirst()
        } else {
            out += lowercasingFirst(text).utf8
        }
    }
}
