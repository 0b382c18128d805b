/// The Public Suffix List (https://publicsuffix.org/list/), parsed from
/// text handed in at start (the jailed worker cannot open files later):
///
///     let psl = PublicSuffixList(text: fileContents)
///     psl.organizationalDomain(of: "mail.example.co.uk")   // "example.co.uk"
///     psl.isPublicSuffix("co.uk")                            // true
///
/// Rules, `*.` wildcards and `!` exceptions are honoured, from both the
/// ICANN and the PRIVATE sections by default, as Mail::DMARC (which loads
/// every non-comment line of the file) does. Rules in Unicode are stored as
/// A-labels, so `xn--` names match them.
public struct PublicSuffixList: Sendable {
    /// Where Debian's `publicsuffix` package puts the list (the handler
    /// reads it before the sandbox and hands the bytes in).
    public static let debianPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    /// Plain rules (`co.uk`).
    private var rules: Set<String> = []
    /// Names under which every single label is a suffix (`*.ck` stores `ck`).
    private var wildcards: Set<String> = []
    /// Exception rules without the `!` (`www.ck`).
    private var exceptions: Set<String> = []
    /// How many rules were read, ICANN and private.
    public private(set) var icannRuleCount = 0
    public private(set) var privateRuleCount = 0
    /// Answers already worked out (see `analysis(of:)`).
    private let memo = BoundedMemo<String, Analysis?>(capacity: 8_192)

    /// Parses the list. `includePrivateDomains` false keeps only the ICANN
    /// section (what browsers call the "ICANN" list); Mail::DMARC uses both.
    /// Lines are read up to the first whitespace; `//` lines are comments;
    /// a rule that cannot be normalized is skipped.
    public init(text: String, includePrivateDomains: Bool = true) {
        self.init(bytes: Array(text.utf8), includePrivateDomains: includePrivateDomains)
    }

    public init(bytes: some Collection<UInt8>, includePrivateDomains: Bool = true) {
        var inPrivate = false
        for rawLine in Array(bytes).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            let line = rawLine.prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "\r") }
            if line.starts(with: Array("//".utf8)) {
                let text = String(decoding: rawLine, as: UTF8.self)
                if text.contains("===BEGIN PRIVATE DOMAINS===") { inPrivate = true }
                if text.contains("===END PRIVATE DOMAINS===") { inPrivate = false }
                continue
            }
            guard !line.isEmpty else { continue }
            if inPrivate && !includePrivateDomains { continue }
            add(rule: String(decoding: line, as: UTF8.self), isPrivate: inPrivate)
        }
    }

    private mutating func add(rule text: String, isPrivate: Bool) {
        var rule = Substring(text)
        var isException = false
        if rule.first == "!" { isException = true; rule.removeFirst() }
        var isWildcard = false
        if !isException, rule.hasPrefix("*.") { isWildcard = true; rule.removeFirst(2) }
        guard let name = PublicSuffixDomain.normalized(String(rule)), !name.contains("*") else { return }
        if isException { exceptions.insert(name) } else if isWildcard { wildcards.insert(name) } else { rules.insert(name) }
        if isPrivate { privateRuleCount += 1 } else { icannRuleCount += 1 }
    }

    /// Whether the list holds no rules at all (a missing or empty file).
    public var isEmpty: Bool { rules.isEmpty && wildcards.isEmpty && exceptions.isEmpty }

    /// How many labels of `labels` (right-aligned) form the public suffix:
    /// the longest matching rule, an exception rule winning and counting
    /// one label less. 0 when no rule matches (RFC 7489 section 3.2 step 3
    /// with no match: the suffix is empty; the list's own implicit `*`
    /// rule is not applied, as in Mail::DMARC).
    func suffixLabelCount(_ labels: [Substring]) -> Int {
        let n = labels.count
        guard n > 0 else { return 0 }
        // suffixes[i] = labels[i...] joined; built from the right, linear in size.
        var suffixes = [String](repeating: "", count: n)
        suffixes[n - 1] = String(labels[n - 1])
        if n >= 2 {
            for i in stride(from: n - 2, through: 0, by: -1) { suffixes[i] = labels[i] + "." + suffixes[i + 1] }
        }
        var best = 0
        for i in 0..<n {
            let suffix = suffixes[i]
            if exceptions.contains(suffix) { return n - i - 1 }
            if best == 0 {
                if rules.contains(suffix) { best = n - i }
                else if i + 1 < n, wildcards.contains(suffixes[i + 1]) { best = n - i }
            }
        }
        return best
    }

    private static func labels(of normalized: String) -> [Substring]? {
        let labels = normalized.split(separator: ".", omittingEmptySubsequences: false)
        return labels.contains(where: \.isEmpty) ? nil : labels
    }

    /// Whether the whole name is a public suffix (`com`, `co.uk`, any
    /// label under a wildcard, not an exception).
    public func isPublicSuffix(_ name: String) -> Bool {
        guard let analysis = analysis(of: name) else { return false }
        return analysis.suffixLabels > 0 && analysis.suffixLabels == analysis.labels.count
    }

    /// The public suffix of a name, nil when no rule matches.
    public func publicSuffix(of name: String) -> String? {
        guard let analysis = analysis(of: name), analysis.suffixLabels > 0 else { return nil }
        return analysis.labels.suffix(analysis.suffixLabels).joined(separator: ".")
    }

    /// The Organizational Domain (RFC 7489 section 3.2): the public suffix
    /// plus one label; the name itself when it is a public suffix or has
    /// no label more; the last label when no rule matches (an unknown
    /// TLD), as the RFC's steps and Mail::DMARC give. Normalized (lowercase
    /// ASCII, A-labels, no trailing dot); a name that cannot be normalized
    /// (empty label, over 253 bytes) comes back lowercased as given.
    public func organizationalDomain(of name: String) -> String {
        guard let analysis = analysis(of: name) else { return DNSName.normalized(name) }
        if analysis.suffixLabels >= analysis.labels.count { return analysis.normalized }
        return analysis.labels.suffix(analysis.suffixLabels + 1).joined(separator: ".")
    }

    /// A name normalized, split into labels, and its public suffix's label
    /// count; nil when it cannot be normalized or has an empty label.
    struct Analysis: Sendable {
        var normalized: String
        var labels: [String]
        var suffixLabels: Int
    }

    /// Remembered by the name as given: DMARC asks about the same few
    /// domains several times a message and the same ones message after
    /// message, and IDNA normalization plus the rule lookups were a few
    /// percent of a worker's time (issue 12).
    func analysis(of name: String) -> Analysis? {
        memo.value(for: name, keep: name.utf8.count <= 1024) {
            guard let normalized = PublicSuffixDomain.normalized(name), let labels = Self.labels(of: normalized) else { return nil }
            return Analysis(normalized: normalized, labels: labels.map(String.init), suffixLabels: suffixLabelCount(labels))
        }
    }
}
