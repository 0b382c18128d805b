/// A DMARC policy record (RFC 7489 section 6.3, with RFC 9091's `np` and
/// RFC 9989's `psd` and `t`), parsed leniently as Mail::DMARC does:
///
/// - the record must start with `v=DMARC1` (case-insensitive, spaces
///   around `=` allowed) followed by `;` or the end, else it is not a
///   DMARC record at all (`init` returns nil; discovery ignores it);
/// - tags are separated by `;`; a tag's name ends at the first `=` (or `:`,
///   a common typo Mail::DMARC accepts); names are case-insensitive; an
///   empty value or a part without a separator is skipped; a later
///   duplicate replaces an earlier one; unknown tags are ignored;
/// - an invalid value of an optional tag falls back to the tag's default
///   (section 6.3: "syntax errors ... discarded in favor of default
///   values") and is listed in `warnings`;
/// - `p`, `sp` and `np` keep their text, because an invalid one changes
///   discovery (section 6.6.3 step 6, see `DMARCDiscovery`).
public struct DMARCRecord: Sendable, Hashable {
    /// The record as published (strings joined).
    public var text: String
    /// `p` as published, lowercased; nil when absent.
    public var requestedPolicyText: String?
    /// `sp` as published, lowercased; nil when absent.
    public var subdomainPolicyText: String?
    /// `np` as published, lowercased; nil when absent.
    public var nonExistentPolicyText: String?
    public var dkimAlignment: DMARCAlignmentMode = .relaxed
    public var spfAlignment: DMARCAlignmentMode = .relaxed
    /// `pct` when present and valid (0...100); nil means 100, but
    /// Mail::DMARC, and so the reports, tell "absent" from "100".
    public var percent: Int?
    /// `rua`, every entry that parsed as a URI.
    public var aggregateReportURIs: [DMARCReportURI] = []
    /// `ruf`, every entry that parsed as a URI.
    public var failureReportURIs: [DMARCReportURI] = []
    /// `rua`/`ruf` as published (nil when absent).
    public var aggregateReportText: String?
    public var failureReportText: String?
    /// `fo`: the options, default `["0"]`.
    public var failureOptions: [String] = ["0"]
    /// `rf`: default `["afrf"]`.
    public var reportFormats: [String] = ["afrf"]
    /// `ri`: seconds, default 86400.
    public var reportInterval: UInt32 = 86400
    /// RFC 9989 `psd`: "y", "n" or "u" (default).
    public var publicSuffixDomain: String = "u"
    /// RFC 9989 `t=y`: testing mode.
    public var testing: Bool = false
    /// Invalid values that were replaced by defaults (`"pct=abc"`).
    public var warnings: [String] = []

    /// The largest record parsed; longer text is refused (a DMARC record
    /// is a few hundred bytes; this bounds the work on garbage).
    public static let maximumLength = 8192

    public var requestedPolicy: DMARCPolicyAction? { requestedPolicyText.flatMap(DMARCPolicyAction.init(tagValue:)) }
    public var subdomainPolicy: DMARCPolicyAction? { subdomainPolicyText.flatMap(DMARCPolicyAction.init(tagValue:)) }
    public var nonExistentPolicy: DMARCPolicyAction? { nonExistentPolicyText.flatMap(DMARCPolicyAction.init(tagValue:)) }

    /// Whether the raw text starts like a DMARC record (`v=DMARC1` then
    /// `;` or the end): the filter of section 6.6.3 step 2.
    public static func isDMARCRecord(_ text: some StringProtocol) -> Bool {
        var rest = Substring(text)
        func skipSpace() { while let c = rest.first, c == " " || c == "\t" { rest.removeFirst() } }
        guard let v = rest.first, v == "v" || v == "V" else { return false }
        rest.removeFirst()
        skipSpace()
        guard rest.first == "=" else { return false }
        rest.removeFirst()
        skipSpace()
        guard rest.count >= 6, rest.prefix(6).lowercased() == "dmarc1" else { return false }
        rest.removeFirst(6)
        skipSpace()
        return rest.isEmpty || rest.first == ";"
    }

    /// Parses a record; nil when it is not a DMARC record (see above) or
    /// longer than `maximumLength`.
    public init?(_ text: String) {
        guard text.utf8.count <= Self.maximumLength, Self.isDMARCRecord(text) else { return nil }
        self.text = text
        for part in text.split(separator: ";", omittingEmptySubsequences: true).dropFirst() {
            guard let separator = part.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                if !part.allSatisfy(\.isWhitespace) { warnings.append(String(part.prefix(64))) }
                continue
            }
            let name = part[..<separator].filter { !$0.isWhitespace }.lowercased()
            let value = String(part[part.index(after: separator)...].drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            guard !value.isEmpty else { continue }
            apply(tag: name, value: value)
        }
    }

    private mutating func apply(tag: String, value: String) {
        let lowered = value.lowercased()
        switch tag {
        case "p": requestedPolicyText = lowered
        case "sp": subdomainPolicyText = lowered
        case "np": nonExistentPolicyText = lowered
        case "adkim":
            if let mode = DMARCAlignmentMode(rawValue: lowered) { dkimAlignment = mode } else { warn(tag, value); dkimAlignment = .relaxed }
        case "aspf":
            if let mode = DMARCAlignmentMode(rawValue: lowered) { spfAlignment = mode } else { warn(tag, value); spfAlignment = .relaxed }
        case "pct":
            if value.count <= 3, value.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(value), number <= 100 {
                percent = number
            } else { warn(tag, value); percent = nil }
        case "rua":
            aggregateReportText = value
            aggregateReportURIs = value.split(separator: ",").compactMap(DMARCReportURI.init(entry:))
        case "ruf":
            failureReportText = value
            failureReportURIs = value.split(separator: ",").compactMap(DMARCReportURI.init(entry:))
        case "fo":
            let options = lowered.split(separator: ":", omittingEmptySubsequences: false).map { String($0.filter { !$0.isWhitespace }) }
            if !options.isEmpty, options.allSatisfy({ ["0", "1", "d", "s"].contains($0) }) { failureOptions = options } else { warn(tag, value); failureOptions = ["0"] }
        case "rf":
            let formats = lowered.split(separator: ",", omittingEmptySubsequences: false).map { String($0.filter { !$0.isWhitespace }) }
            if !formats.isEmpty, formats.allSatisfy({ ["afrf", "iodef"].contains($0) }) { reportFormats = formats } else { warn(tag, value); reportFormats = ["afrf"] }
        case "ri":
            if value.count <= 10, value.allSatisfy({ $0.isASCII && $0.isNumber }), let seconds = UInt32(value) { reportInterval = seconds } else { warn(tag, value); reportInterval = 86400 }
        case "psd":
            if ["y", "n", "u"].contains(lowered) { publicSuffixDomain = lowered } else { warn(tag, value); publicSuffixDomain = "u" }
        case "t":
            if lowered == "y" || lowered == "n" { testing = lowered == "y" } else { warn(tag, value); testing = false }
        default:
            break   // unknown tags are ignored (section 6.3)
        }
    }

    private mutating func warn(_ tag: String, _ value: String) {
        if warnings.count < 16 { warnings.append("\(tag)=\(value.prefix(64))") }
    }
}
