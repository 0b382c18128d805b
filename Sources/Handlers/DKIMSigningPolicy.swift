import MailAuth

/// A sender signing policy as Mail::DKIM models the three generations the
/// Perl DKIM handler reports: DomainKeys' sender policy (RFC 4870,
/// `_domainkey.<sender domain>`), the early DKIM "SSP" author policy
/// (`_policy._domainkey.<author domain>`) and ADSP (RFC 5617,
/// `_adsp._domainkey.<author domain>`). All are historic; the Perl handler
/// still looks them up when `check_adsp` is set.
///
/// A domain that publishes nothing has the kind's default policy, which is
/// written only with `show_default_adsp`.
struct DKIMSigningPolicy: Equatable {
    enum Kind: Equatable {
        /// Mail::DKIM::DkPolicy.
        case domainKeys
        /// Mail::DKIM::DkimPolicy.
        case ssp
        /// Mail::DKIM::AuthorDomainPolicy.
        case adsp

        /// The A-R method the Perl handler writes.
        var method: String {
            switch self {
            case .domainKeys: return "x-dkim-dkssp"
            case .ssp: return "x-dkim-ssp"
            case .adsp: return "dkim-adsp"
            }
        }

        /// Mail::DKIM's `name`, used in the comment.
        var name: String {
            switch self {
            case .domainKeys: return "sender"
            case .ssp: return "author"
            case .adsp: return "ADSP"
            }
        }

        func lookupName(_ domain: String) -> String {
            switch self {
            case .domainKeys: return "_domainkey." + domain
            case .ssp: return "_policy._domainkey." + domain
            case .adsp: return "_adsp._domainkey." + domain
            }
        }

        /// The implied policy's record text.
        var defaultText: String { self == .adsp ? "" : "o=~" }
    }

    /// What `apply` decides (Mail::DKIM's words).
    enum Verdict: String, Equatable {
        case accept, reject, neutral

        /// The Perl handler's A-R result for it.
        var result: String {
            switch self {
            case .accept: return "pass"
            case .reject: return "discard"
            case .neutral: return "unknown"
            }
        }
    }

    let kind: Kind
    /// Tag name to value (case-sensitive names; the last of a repeated tag).
    let tags: [String: String]
    /// The domain whose record this is; nil for an implied policy.
    let location: String?
    /// The domain publishes nothing (or an empty record).
    let isDefault: Bool

    static func implied(_ kind: Kind) -> DKIMSigningPolicy {
        // The default texts always parse.
        let tags = (try? parseTags(kind.defaultText)) ?? [:]
        return DKIMSigningPolicy(kind: kind, tags: tags, location: nil, isDefault: true)
    }

    /// ADSP's answer for an author domain that does not exist.
    static var adspNXDomain: DKIMSigningPolicy {
        DKIMSigningPolicy(kind: .adsp, tags: ["dkim": "NXDOMAIN"], location: nil, isDefault: false)
    }

    /// A published record. Empty text (or Perl-false "0") is the default.
    static func published(_ kind: Kind, text: String, domain: String) throws(DKIMPolicyError) -> DKIMSigningPolicy {
        if text.isEmpty || text == "0" { return implied(kind) }
        return DKIMSigningPolicy(kind: kind, tags: try parseTags(text), location: domain, isDefault: false)
    }

    /// Mail::DKIM::Policy's parser: `;`-separated `name=value` pairs, each
    /// trimmed; a piece without `=` is a syntax error. Empty pieces at the
    /// end are dropped (Perl's `split`), empty ones before them are errors.
    static func parseTags(_ text: String) throws(DKIMPolicyError) -> [String: String] {
        var pieces = text.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        while let last = pieces.last, last.isEmpty { pieces.removeLast() }
        var tags: [String: String] = [:]
        for piece in pieces {
            let tag = trimmed(piece)
            guard let equals = tag.firstIndex(of: "=") else { throw .syntax("policy syntax error") }
            let name = trimmingEnd(String(tag[..<equals]))
            let value = String(tag[tag.index(after: equals)...].drop(while: \.isWhitespace))
            tags[name] = value
        }
        return tags
    }

    // MARK: Tags

    /// The outbound signing practice: ADSP's `dkim=`; SSP's `dkim=`, else
    /// `o=`; DomainKeys' `o=`.
    var practice: String {
        switch kind {
        case .adsp: return tags["dkim"] ?? "unknown"
        case .ssp: return tags["dkim"] ?? tags["o"] ?? "unknown"
        case .domainKeys: return tags["o"] ?? "~"
        }
    }

    /// `t=` holds a `y` (the domain is testing).
    var isTesting: Bool {
        (tags["t"] ?? "").lowercased().contains("y")
    }

    var signsAll: Bool {
        switch kind {
        case .adsp: return practice.lowercased().contains("all")
        case .ssp: return practice.lowercased().contains("all") || practice == "-"
        case .domainKeys: return practice == "-"
        }
    }

    var signsAllStrict: Bool {
        switch kind {
        case .adsp: return practice.lowercased().contains("discardable")
        case .ssp: return practice.lowercased().contains("strict") || practice == "!"
        case .domainKeys: return false
        }
    }

    // MARK: Applying

    /// Mail::DKIM's `apply`: is there a first-party signature that passed,
    /// and if not, does the policy condemn the message?
    /// - `originator`: the first From address; `sender`: the first Sender
    ///   address, else the originator.
    func apply(signatures: [DKIMSignatureResult], originator: String?, sender: String?) -> Verdict {
        let passing = signatures.filter { $0.perlResult == "pass" }
        switch kind {
        case .domainKeys:
            if passing.contains(where: { Self.identity($0, matches: sender) }) { return .accept }
            return signsAll && !isTesting ? .reject : .neutral
        case .ssp:
            if passing.contains(where: { Self.identity($0, matches: originator) }) { return .accept }
            if signsAllStrict && !isTesting { return .reject }
            if signsAll {
                if !passing.isEmpty { return .accept }
                if !isTesting { return .reject }
            }
            return .neutral
        case .adsp:
            let authorDomain = originator.map(Self.domainPart) ?? ""
            if !authorDomain.isEmpty,
               passing.contains(where: { ($0.domain ?? "").lowercased() == authorDomain.lowercased() }) {
                return .accept
            }
            return signsAllStrict ? .reject : .neutral
        }
    }

    /// The Perl handler's entry: `<method>=<pass|discard|unknown>
    /// ([default ]<name> policy[ from <domain>])`.
    func entry(_ verdict: Verdict) -> AuthResultsEntry {
        var comment = (isDefault ? "default " : "") + kind.name + " policy"
        if let location, !location.isEmpty { comment += " from " + location }
        return AuthResultsEntry(method: kind.method, result: verdict.result, comment: AuthResultsComment(comment))
    }

    // MARK: Helpers

    /// Mail::DKIM's `identity_matches`: an identity `@domain` matches an
    /// address ending in it, a full identity only that address; both
    /// ignoring case.
    static func identity(_ signature: DKIMSignatureResult, matches address: String?) -> Bool {
        guard let address else { return false }
        let identity = (signature.identity ?? "@" + (signature.domain ?? "")).lowercased()
        if identity.hasPrefix("@") { return address.lowercased().hasSuffix(identity) }
        return address.lowercased() == identity
    }

    /// The text after the last `@` (Perl's `/\@([^@]*)$/`), or "".
    static func domainPart(_ address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return "" }
        return String(address[address.index(after: at)...])
    }

    /// Without whitespace at either end (Perl's `\s`, and CRLF).
    private static func trimmed(_ text: String) -> String {
        trimmingEnd(String(text.drop(while: \.isWhitespace)))
    }

    private static func trimmingEnd(_ text: String) -> String {
        var text = text
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
