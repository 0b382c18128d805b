import MailAuth

/// An aggregate report as an email message (RFC 7489 section 7.2.1.1):
/// multipart/mixed with a short text/plain summary and the gzipped XML as
/// an `application/gzip` attachment.
///
/// The message is plain ASCII with CRLF line ends and no line longer than
/// 998 bytes, ready for SMTP DATA (the SMTP client dot-stuffs). Values
/// from rows and configuration are cleaned before they reach a header or
/// the filename: characters outside printable ASCII become `?` in text and
/// `_` in the filename, so a hostile policy domain cannot add a header,
/// break the MIME structure or name a path.
public struct AggregateReportEmail: Sendable {
    /// `receiver!policy-domain!begin!end!unique-id.xml.gz`.
    public var filename: String
    /// `Report Domain: <policy domain> Submitter: <receiver> Report-ID: <msg-id>`.
    public var subject: String
    /// The `Message-ID` header value, with its angle brackets.
    public var messageID: String
    /// The attachment: `AggregateReportXML.bytes` through `Gzip.compress`.
    /// Senders compare its size with a `rua` size limit.
    public var gzip: [UInt8]
    /// The whole message, headers and body.
    public var bytes: [UInt8]

    /// Builds the message for `report`, addressed to `recipients` (bare
    /// addresses, one `To` header). `date` (seconds since the epoch) gives
    /// the `Date` header, written in UTC; `messageID` defaults to one made
    /// from the report id, begin time and reporter domain, so resending the
    /// same report gives the same Message-ID.
    public init(report: AggregateReport, to recipients: [String], date: Int64, messageID: String? = nil) {
        self.init(report: report, gzip: Gzip.compress(AggregateReportXML.bytes(report)), to: recipients, date: date,
                  messageID: messageID)
    }

    /// The same with the report's gzipped XML already made (a second
    /// addressing of one report reuses it).
    public init(report: AggregateReport, gzip: [UInt8], to recipients: [String], date: Int64, messageID: String? = nil) {
        let filename = Self.filename(for: report)
        let messageID = messageID.map { Self.headerText($0) } ?? Self.defaultMessageID(for: report)
        let subject = Self.subject(for: report)
        let summary = Self.summary(for: report, filename: filename)

        var boundary = "=_authmilter_dmarc_\(report.begin)"
        var attempt = 0
        // Base64 never holds "_"; only the summary could, from hostile text.
        while summary.contains(where: { $0.contains(boundary) }) {
            attempt += 1
            boundary = "=_authmilter_dmarc_\(report.begin)_\(attempt)"
        }

        var lines: [String] = []
        lines += Self.fold(name: "From", words: [Self.headerText(report.reporter.email)])
        lines += Self.fold(name: "To", words: Self.addressList(recipients))
        lines += Self.fold(name: "Subject", words: subject.split(separator: " ").map(String.init))
        lines.append("Date: " + Self.rfc5322Date(date))
        lines.append("Message-ID: " + messageID)
        lines.append("MIME-Version: 1.0")
        lines.append("Content-Type: multipart/mixed;")
        lines.append(" boundary=\"\(boundary)\"")
        lines.append("")
        lines.append("This is a multi-part message in MIME format.")
        lines.append("")
        lines.append("--" + boundary)
        lines.append("Content-Type: text/plain; charset=us-ascii")
        lines.append("Content-Transfer-Encoding: 7bit")
        lines.append("Content-Disposition: inline")
        lines.append("")
        lines += summary
        lines.append("")
        lines.append("--" + boundary)
        lines.append("Content-Type: application/gzip;")
        lines.append(" name=\"\(filename)\"")
        lines.append("Content-Transfer-Encoding: base64")
        lines.append("Content-Disposition: attachment;")
        lines.append(" filename=\"\(filename)\"")
        lines.append("")
        lines += Self.base64Lines(gzip)
        lines.append("--" + boundary + "--")

        self.filename = filename
        self.subject = subject
        self.messageID = messageID
        self.gzip = gzip
        self.bytes = Array(lines.joined(separator: "\r\n").utf8) + [0x0D, 0x0A]
    }

    // MARK: - Names

    /// The attachment's name (RFC 7489 section 7.2.1.1):
    /// `receiver "!" policy-domain "!" begin "!" end "!" unique-id ".xml.gz"`
    /// with the reporter's domain as receiver and the report id as
    /// unique-id (left out when nothing of it survives cleaning). Each part
    /// keeps letters, digits, `.`, `-` and `_`; anything else becomes `_`
    /// (never `!`, `/` or a quote).
    public static func filename(for report: AggregateReport) -> String {
        var parts = [
            filenamePart(report.reporter.domain, limit: 253),
            filenamePart(report.policyDomain, limit: 253),
            String(report.begin),
            String(report.end),
        ]
        let unique = filenamePart(report.reportID, limit: 64)
        if !unique.isEmpty { parts.append(unique) }
        return parts.joined(separator: "!") + ".xml.gz"
    }

    /// `Report Domain: <policy domain> Submitter: <reporter domain>
    /// Report-ID: <msg-id>` (RFC 7489 section 7.2.1.1). The Report-ID must
    /// be a msg-id: a report id that holds an `@` is used as it is, any
    /// other gets `@<reporter domain>` added.
    public static func subject(for report: AggregateReport) -> String {
        "Report Domain: \(headerText(report.policyDomain)) Submitter: \(headerText(report.reporter.domain))"
            + " Report-ID: \(reportMessageID(report))"
    }

    static func reportMessageID(_ report: AggregateReport) -> String {
        let id = report.reportID
        if let at = id.lastIndex(of: "@") {
            return "<\(msgIDPart(String(id[..<at])))@\(msgIDPart(String(id[id.index(after: at)...])))>"
        }
        return "<\(msgIDPart(id))@\(msgIDPart(report.reporter.domain))>"
    }

    static func defaultMessageID(for report: AggregateReport) -> String {
        "<dmarc-aggregate.\(msgIDPart(report.reportID)).\(report.begin)@\(msgIDPart(report.reporter.domain))>"
    }

    // MARK: - Body

    /// The human-readable part: what the attachment is about.
    static func summary(for report: AggregateReport, filename: String) -> [String] {
        [
            "This is a DMARC aggregate report (RFC 7489) for \(headerText(report.policyDomain)).",
            "",
            "Reporting organization: \(headerText(report.reporter.orgName))",
            "Report-ID: \(headerText(report.reportID))",
            "Period: \(rfc5322Date(report.begin)) to \(rfc5322Date(report.end))",
            "Records: \(report.records.count)",
            "Messages: \(report.messageCount)",
            "",
            "The report is attached as \(filename).",
        ]
    }

    /// Base64 in lines of 76 characters (RFC 2045 section 6.8).
    static func base64Lines(_ bytes: [UInt8]) -> [String] {
        let text = Array(CryptoBase64.encode(bytes).utf8)
        var lines: [String] = []
        var start = 0
        while start < text.count {
            let end = min(start + 76, text.count)
            lines.append(String(decoding: text[start..<end], as: UTF8.self))
            start = end
        }
        return lines
    }

    // MARK: - Dates

    /// `Tue, 02 Jan 2024 03:04:05 +0000` (`RFC5322Date`).
    public static func rfc5322Date(_ seconds: Int64) -> String {
        RFC5322Date.text(seconds)
    }

    // MARK: - Cleaning and folding

    /// Printable ASCII only (space to `~`); anything else becomes `?`.
    /// Keeps CR and LF out of headers whatever the input; cut at 900
    /// characters so a line holding it stays under 998 bytes.
    static func headerText(_ text: String) -> String {
        let scalars = text.unicodeScalars.prefix(900).map { (0x20...0x7E).contains($0.value) ? $0 : "?" }
        return String(String.UnicodeScalarView(scalars))
    }

    private static func filenamePart(_ text: String, limit: Int) -> String {
        let cleaned = text.unicodeScalars.prefix(limit).map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "-", "_": return Character(scalar)
            default: return "_"
            }
        }
        return String(cleaned)
    }

    /// One side of a msg-id: RFC 5322 atext and dots; anything else
    /// (space, `<`, `>`, `@`, controls, non-ASCII) becomes `_`.
    private static func msgIDPart(_ text: String) -> String {
        let cleaned = text.unicodeScalars.prefix(255).map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "!", "#", "$", "%", "&", "'", "*", "+", "-", "/", "=", "?",
                 "^", "_", "`", "{", "|", "}", "~":
                return Character(scalar)
            default:
                return "_"
            }
        }
        return cleaned.isEmpty ? "_" : String(cleaned)
    }

    /// Recipients for the `To` header, each cleaned, comma-separated.
    private static func addressList(_ recipients: [String]) -> [String] {
        let cleaned = recipients.map { headerText($0).filter { $0 != " " } }.filter { !$0.isEmpty }
        return cleaned.enumerated().map { index, address in index < cleaned.count - 1 ? address + "," : address }
    }

    /// `name: word word ...` folded before a word when the line would pass
    /// 78 characters (RFC 5322 section 2.1.1). A word longer than 900
    /// characters is cut, so no line can pass the 998-byte limit.
    static func fold(name: String, words: [String]) -> [String] {
        var lines: [String] = []
        var current = name + ":"
        for word in words.map({ String($0.prefix(900)) }) {
            if current.count + 1 + word.count > 78 && current.count > name.count + 1 {
                lines.append(current)
                current = " " + word
            } else {
                current += " " + word
            }
        }
        lines.append(current)
        return lines
    }
}
