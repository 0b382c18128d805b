import MailAuth

/// The XML form of an aggregate report: RFC 9990 (default) or RFC 7489
/// appendix C (`report.format`). Every value written is either a fixed
/// word from the schema's enumerations or text passed through `escape`, so
/// the document is well-formed XML 1.0 whatever the rows hold (hostile
/// From domains, control bytes, decoded garbage).
///
/// Choices where the schema and the rows do not meet:
/// - `sp` is written as `p` when the record has none (its default);
///   RFC 7489: `pct` as 100 when absent (a required element there; RFC 9990
///   has no `pct`); `fo` as `0` when empty; `np` only when published.
/// - `p`, `sp` and `np` must be `none`, `quarantine` or `reject`: an
///   unknown `p` is written `none` (such a record acts as `p=none` when it
///   has a `rua`), an unknown `sp` as `p`, an unknown `np` is left out.
/// - Result words are mapped onto the schema's enumerations by
///   `dkimResultWord` and `spfResultWord`.
/// - RFC 7489 requires at least one `auth_results/spf`. Mail::DMARC
///   writes none when SPF was not checked (schema-invalid); we write one
///   with the envelope-from domain (empty for the null sender), scope
///   `mfrom` and result `none`, which is what an SPF check with nothing to
///   check says. Report parsers (parsedmarc) skip an spf entry with an
///   empty domain. RFC 9990 allows none and at most one: the first `mfrom`
///   result (else the first) is written, `scope` only for `mfrom` (the
///   only scope RFC 9990 knows).
/// - `identifiers/envelope_from` is written even when empty (null
///   sender); `envelope_to` only when known. DKIM `selector` is required
///   by RFC 9990 (written, empty when unknown); RFC 7489: only when known.
/// - RFC 9990: `testing` and `discovery_method` as the row recorded them
///   (left out for rows stored before they were kept); the disposition is
///   `pass` when DMARC passed under an enforcing (`quarantine`, `reject`)
///   policy and nothing was done; override reasons RFC 9990 dropped
///   (`forwarded`, `sampled_out`) are written as `other` with the old name
///   as comment. RFC 7489 has no `policy_test_mode`: written as `other`.
public enum AggregateReportXML {
    /// The report as an XML document (UTF-8 text, LF line ends).
    public static func document(_ report: AggregateReport) -> String {
        var out = XMLWriter()
        out.line(0, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        switch report.format {
        case .rfc9990: out.line(0, "<feedback xmlns=\"\(AggregateReportFormat.rfc9990Namespace)\">")
        case .rfc7489: out.open(0, "feedback")
        }
        out.element(1, "version", "1.0")
        writeMetadata(report, into: &out)
        writePolicy(report, into: &out)
        for record in report.records {
            writeRecord(record, of: report, into: &out)
        }
        out.close(0, "feedback")
        return out.text
    }

    /// The document's UTF-8 bytes, ready for `Gzip.compress`.
    public static func bytes(_ report: AggregateReport) -> [UInt8] {
        Array(document(report).utf8)
    }

    // MARK: - Sections

    private static func writeMetadata(_ report: AggregateReport, into out: inout XMLWriter) {
        out.open(1, "report_metadata")
        out.element(2, "org_name", report.reporter.orgName)
        out.element(2, "email", report.reporter.email)
        if let extra = report.reporter.extraContactInfo, !extra.isEmpty {
            out.element(2, "extra_contact_info", extra)
        }
        out.element(2, "report_id", report.reportID)
        out.open(2, "date_range")
        out.element(3, "begin", String(report.begin))
        out.element(3, "end", String(report.end))
        out.close(2, "date_range")
        if report.format == .rfc9990 {
            out.element(2, "generator", AggregateReportFormat.generator)
        }
        out.close(1, "report_metadata")
    }

    private static func writePolicy(_ report: AggregateReport, into out: inout XMLWriter) {
        let policy = report.policy
        let p = policyWord(policy.p) ?? "none"
        let sp = policy.sp.flatMap(policyWord) ?? p
        out.open(1, "policy_published")
        out.element(2, "domain", report.policyDomain)
        if report.format == .rfc9990, let method = policy.discoveryMethod, method == "psl" || method == "treewalk" {
            out.element(2, "discovery_method", method)
        }
        out.element(2, "adkim", policy.adkim.rawValue)
        out.element(2, "aspf", policy.aspf.rawValue)
        out.element(2, "p", p)
        out.element(2, "sp", sp)
        if report.format == .rfc7489 {
            out.element(2, "pct", String(min(max(policy.pct ?? 100, 0), 100)))
        }
        out.element(2, "fo", policy.fo.isEmpty ? "0" : policy.fo)
        if let np = policy.np.flatMap(policyWord) {
            out.element(2, "np", np)
        }
        if report.format == .rfc9990, let testing = policy.testing {
            out.element(2, "testing", testing ? "y" : "n")
        }
        out.close(1, "policy_published")
    }

    /// RFC 9990 section 3.1.1: `pass` for a message that passed DMARC
    /// under an enforcing policy (nothing was done because it passed),
    /// else the disposition applied.
    static func dispositionWord(_ record: AggregateReportRecord, of report: AggregateReport) -> String {
        guard report.format == .rfc9990, record.disposition == .none, record.dkimAligned || record.spfAligned else {
            return record.disposition.rawValue
        }
        let policy = report.policy
        let isSubdomain = record.headerFrom.lowercased() != report.policyDomain.lowercased()
        let effective = (isSubdomain ? policy.sp.flatMap(policyWord) : nil) ?? policyWord(policy.p) ?? "none"
        return effective == "none" ? "none" : "pass"
    }

    /// The reason type as the format knows it, and the comment to write.
    static func reasonWords(_ reason: DMARCPolicyOverrideReason, format: AggregateReportFormat) -> (type: String, comment: String?) {
        let comment = reason.comment.flatMap { $0.isEmpty ? nil : $0 }
        switch (format, reason.type) {
        case (.rfc9990, .forwarded), (.rfc9990, .sampledOut), (.rfc7489, .policyTestMode):
            return ("other", comment.map { reason.type.rawValue + ": " + $0 } ?? reason.type.rawValue)
        default:
            return (reason.type.rawValue, comment)
        }
    }

    private static func writeRecord(_ record: AggregateReportRecord, of report: AggregateReport, into out: inout XMLWriter) {
        let format = report.format
        out.open(1, "record")
        out.open(2, "row")
        out.element(3, "source_ip", record.sourceIP)
        out.element(3, "count", String(record.count))
        out.open(3, "policy_evaluated")
        out.element(4, "disposition", dispositionWord(record, of: report))
        out.element(4, "dkim", record.dkimAligned ? "pass" : "fail")
        out.element(4, "spf", record.spfAligned ? "pass" : "fail")
        for reason in record.reasons {
            let words = reasonWords(reason, format: format)
            out.open(4, "reason")
            out.element(5, "type", words.type)
            if let comment = words.comment {
                out.element(5, "comment", comment)
            }
            out.close(4, "reason")
        }
        out.close(3, "policy_evaluated")
        out.close(2, "row")

        out.open(2, "identifiers")
        if let envelopeTo = record.envelopeTo {
            out.element(3, "envelope_to", envelopeTo)
        }
        out.element(3, "envelope_from", record.envelopeFrom)
        out.element(3, "header_from", record.headerFrom)
        out.close(2, "identifiers")

        out.open(2, "auth_results")
        for dkim in record.dkimResults {
            out.open(3, "dkim")
            out.element(4, "domain", dkim.domain)
            if format == .rfc9990 || !dkim.selector.isEmpty {
                out.element(4, "selector", dkim.selector)
            }
            out.element(4, "result", dkimResultWord(dkim.result))
            if let human = dkim.humanResult, !human.isEmpty {
                out.element(4, "human_result", human)
            }
            out.close(3, "dkim")
        }
        let spfResults: [DMARCSPFInput]
        switch format {
        case .rfc7489:
            spfResults = record.spfResults.isEmpty
                ? [DMARCSPFInput(domain: record.envelopeFrom, scope: .mfrom, result: "none")]
                : record.spfResults
        case .rfc9990:
            spfResults = (record.spfResults.first { $0.scope == .mfrom } ?? record.spfResults.first).map { [$0] } ?? []
        }
        for spf in spfResults {
            out.open(3, "spf")
            out.element(4, "domain", spf.domain)
            if format == .rfc7489 || spf.scope == .mfrom {
                out.element(4, "scope", spf.scope.rawValue)
            }
            out.element(4, "result", spfResultWord(spf.result))
            out.close(3, "spf")
        }
        out.close(2, "auth_results")
        out.close(1, "record")
    }

    // MARK: - Words

    /// A DKIM result word as the schema's `DKIMResultType` (none, pass,
    /// fail, policy, neutral, temperror, permerror), case-insensitively.
    /// Other words: Mail::DKIM's `invalid` (a signature or key that cannot
    /// be used, RFC 8601's permerror) → permerror; `hardfail`, `softfail`
    /// → fail; `tempfail`, `error` → temperror; anything else → permerror
    /// (the verifier produced no result the schema knows).
    public static func dkimResultWord(_ word: String) -> String {
        let lowered = trimmedLowercase(word)
        switch lowered {
        case "none", "pass", "fail", "policy", "neutral", "temperror", "permerror":
            return lowered
        case "hardfail", "softfail":
            return "fail"
        case "tempfail", "error":
            return "temperror"
        default:
            return "permerror"
        }
    }

    /// An SPF result word as the schema's `SPFResultType` (none, neutral,
    /// pass, fail, softfail, temperror, permerror), case-insensitively.
    /// Other words: `hardfail` (RFC 5451's name) → fail; `error` and
    /// `tempfail` (pre-RFC 7208 names) → temperror; `unknown` and
    /// `invalid` (pre-RFC 7208 and Perl names) → permerror; `policy`
    /// (RFC 8601: local policy decided) → neutral, since it asserts
    /// nothing about the client; anything else → permerror.
    public static func spfResultWord(_ word: String) -> String {
        let lowered = trimmedLowercase(word)
        switch lowered {
        case "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror":
            return lowered
        case "hardfail":
            return "fail"
        case "error", "tempfail":
            return "temperror"
        case "policy":
            return "neutral"
        default:
            return "permerror"
        }
    }

    /// `p`, `sp` or `np` as the schema's `DispositionType`; nil for
    /// anything else.
    static func policyWord(_ word: String) -> String? {
        DMARCPolicyAction(tagValue: trimmedLowercase(word))?.rawValue
    }

    /// Lowercased, whitespace dropped: result words are single tokens, and
    /// a stray space from a header parse must not turn a pass into an error.
    private static func trimmedLowercase(_ word: String) -> String {
        String(word.lowercased().filter { !$0.isWhitespace })
    }

    // MARK: - Escaping

    /// Text as XML 1.0 character data. `&`, `<`, `>`, `"` and `'` become
    /// entity references; tab, LF and CR become character references so
    /// a parser hands them back unchanged (raw CR would be normalized
    /// away); characters XML 1.0 does not allow at all (other C0 controls,
    /// U+FFFE, U+FFFF) become U+FFFD, so a reader still sees that
    /// something was there.
    public static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&apos;".unicodeScalars)
            case "\t": out.append(contentsOf: "&#9;".unicodeScalars)
            case "\n": out.append(contentsOf: "&#10;".unicodeScalars)
            case "\r": out.append(contentsOf: "&#13;".unicodeScalars)
            default:
                out.append(isXMLChar(scalar) ? scalar : "\u{FFFD}")
            }
        }
        return String(out)
    }

    /// XML 1.0 `Char` (section 2.2). Swift scalars are never surrogates.
    private static func isXMLChar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return true
        case 0x20...0xFFFD: return true
        case 0x10000...0x10FFFF: return true
        default: return false
        }
    }
}

/// Builds the indented document line by line (two spaces per level).
private struct XMLWriter {
    var text = ""

    mutating func line(_ depth: Int, _ content: String) {
        text += String(repeating: "  ", count: depth) + content + "\n"
    }

    mutating func open(_ depth: Int, _ name: String) {
        line(depth, "<\(name)>")
    }

    mutating func close(_ depth: Int, _ name: String) {
        line(depth, "</\(name)>")
    }

    /// `<name>value</name>`, the value escaped.
    mutating func element(_ depth: Int, _ name: String, _ value: String) {
        line(depth, "<\(name)>\(AggregateReportXML.escape(value))</\(name)>")
    }
}
