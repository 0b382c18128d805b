import IPC
import MailAuth

/// The error mail to `errors_to`, as Perl's `send_exception_email` writes
/// it: From `errors_from`, To `errors_to`, the `errors_headers`, Subject
/// `Authentication Milter Error`, `X-Authentication-Milter-Error:
/// Generated Error Report`, and a plain-text body with the error, the
/// process, the connection's trace and the process table.
///
/// Everything that came from a worker or the configuration is made safe
/// here: no control character reaches a header (each becomes a space; a
/// header whose name is not RFC 5322 field-name text is dropped), body
/// lines are cut at 998 bytes, and the result uses CRLF throughout.
public struct ErrorMail: Sendable {
    public var from: String
    public var to: String
    public var extraHeaders: [(name: String, value: String)]
    /// The host in the Message-ID and the body (the spool's hostname).
    public var hostname: String

    public static let subject = "Authentication Milter Error"
    public static let markerHeader = "X-Authentication-Milter-Error"
    public static let markerValue = "Generated Error Report"
    public static let maximumLineBytes = 998

    public init(from: String, to: String, extraHeaders: [(name: String, value: String)] = [], hostname: String) {
        self.from = from
        self.to = to
        self.extraHeaders = extraHeaders
        self.hostname = hostname
    }

    /// The address part of `John Smith <john@example.com>` for the SMTP
    /// envelope: what is between the last `<` and `>`, or the whole text.
    public static func envelopeAddress(_ text: String) -> String {
        if let open = text.lastIndex(of: "<"), let close = text[open...].firstIndex(of: ">") {
            return String(text[text.index(after: open)..<close])
        }
        return String(text.filter { $0 != " " && $0 != "\t" })
    }

    /// The whole message, CRLF line ends, ready for SMTP's DATA.
    /// `date` is an RFC 5322 date, `messageID` unique per mail.
    public func message(report: ErrorReport, suppressed: Int, processTable: [String], date: String, messageID: String) -> [UInt8] {
        var lines: [String] = []
        func header(_ name: String, _ value: String) {
            guard Self.isFieldName(name) else { return }
            lines.append(name + ": " + Self.headerValue(value))
        }
        header("From", from)
        header("To", to)
        header("Subject", Self.subject)
        header("Date", date)
        header("Message-ID", "<\(messageID)@\(Self.headerValue(hostname))>")
        header(Self.markerHeader, Self.markerValue)
        for extra in extraHeaders where !Self.isReserved(extra.name) { header(extra.name, extra.value) }
        header("MIME-Version", "1.0")
        header("Content-Type", "text/plain; charset=UTF-8")
        header("Content-Transfer-Encoding", "8bit")
        lines.append("")
        lines += body(report: report, suppressed: suppressed, processTable: processTable).map(Self.bodyLine)
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// The body's lines, before they are made safe.
    func body(report: ErrorReport, suppressed: Int, processTable: [String]) -> [String] {
        var lines: [String] = []
        switch report.kind {
        case .handlerError: lines.append("An unexpected error was detected during processing:")
        case .timeout: lines.append("A timeout was detected during processing:")
        case .restartStorm: lines.append("The master detected a process failing repeatedly:")
        }
        lines.append("")
        lines += report.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.append("")
        lines.append("Host: \(hostname)")
        lines.append("Process: \(report.role) \(report.pid)")
        if !report.queueID.isEmpty { lines.append("Queue ID: \(report.queueID)") }
        if suppressed > 0 {
            lines.append("")
            lines.append("\(suppressed) further error report\(suppressed == 1 ? " was" : "s were") not mailed since the last mail (rate limit); see the log.")
        }
        if !report.trace.isEmpty {
            lines.append("")
            lines.append("Trace of the connection:")
            lines += report.trace
        }
        lines.append("")
        lines.append("Process table:")
        lines += processTable.isEmpty ? ["(not available)"] : processTable
        return lines
    }

    /// The process table as text lines, Perl's columns.
    public static func processTableLines(_ rows: [ProcessTableRow], memoryKiB: Int, uptimeSeconds: Double) -> [String] {
        var out = ["PID      SIZE(KiB)  RSS(KiB)   %MEM   %CPU  COMMAND"]
        for row in rows.sorted(by: { $0.pid < $1.pid }) {
            let (memory, cpu) = row.percentages(memoryKiB: memoryKiB, uptimeSeconds: uptimeSeconds)
            out.append(pad(String(row.pid), 8) + " " + pad(String(row.sizeKiB), 10) + " " + pad(String(row.rssKiB), 10) + " "
                       + pad(percent(memory), 6) + " " + pad(percent(cpu), 6) + "  " + row.commandLine)
        }
        return out
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func percent(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// Headers the mail writes itself; `errors_headers` cannot replace them.
    static func isReserved(_ name: String) -> Bool {
        ["from", "to", "subject", "date", "message-id", markerHeader.lowercased(), "mime-version",
         "content-type", "content-transfer-encoding"].contains(name.lowercased())
    }

    /// RFC 5322 field-name: printable ASCII but ":", at most 64 bytes here.
    static func isFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.utf8.allSatisfy { $0 >= 33 && $0 <= 126 && $0 != UInt8(ascii: ":") }
    }

    /// A header value on one line: every control character a space, cut to fit a line.
    static func headerValue(_ text: String) -> String {
        ErrorReport.cut(ControlCharacters.replacing(in: text, with: " "), to: 900)
    }

    /// A body line: control characters (but tab) as `?`, at most 998 bytes.
    static func bodyLine(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            out.append(scalar == "\t" || !ControlCharacters.isControl(scalar) ? scalar : "?")
        }
        return ErrorReport.cut(String(out), to: maximumLineBytes)
    }
}
