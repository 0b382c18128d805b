import ErrorMail
import IPC
import Testing

@Suite struct ErrorMailTests {
    static let report = ErrorReport(kind: .timeout, text: "eom callbacks timed out after 2.0s on default: the worker was stopped",
                                    role: "worker", pid: 4242, queueID: "4ABC",
                                    trace: ["1733390000 info 4ABC: SPF: pass", "1733390001 debug 4ABC: DKIM: looking up"])

    static func text(_ mail: ErrorMail, suppressed: Int = 0, report: ErrorReport = report) -> String {
        String(decoding: mail.message(report: report, suppressed: suppressed, processTable: ["PID ...", "1 /usr/sbin/authentication_milter"],
                                      date: "Sat, 05 Dec 2026 10:00:00 +0000", messageID: "error.1.2.3"), as: UTF8.self)
    }

    @Test func hasPerlsHeadersTheTraceAndTheTable() {
        let mail = ErrorMail(from: "AuthMilter <system@example.com>", to: "John Smith <john@example.com>",
                             extraHeaders: [("X-Team", "mail-ops")], hostname: "mx.example.com")
        let text = Self.text(mail)
        let (head, body) = text.headAndBody
        #expect(head.hasPrefix("From: AuthMilter <system@example.com>\r\nTo: John Smith <john@example.com>\r\nSubject: Authentication Milter Error\r\n"))
        #expect(head.contains("\r\nX-Authentication-Milter-Error: Generated Error Report\r\n"))
        #expect(head.contains("\r\nX-Team: mail-ops\r\n"))
        #expect(head.contains("\r\nMessage-ID: <error.1.2.3@mx.example.com>\r\n"))
        #expect(body.hasPrefix("A timeout was detected during processing:\r\n\r\neom callbacks timed out"))
        #expect(body.contains("Process: worker 4242\r\nQueue ID: 4ABC\r\n"))
        #expect(body.contains("Trace of the connection:\r\n1733390000 info 4ABC: SPF: pass\r\n1733390001 debug 4ABC: DKIM: looking up\r\n"))
        #expect(body.hasSuffix("Process table:\r\nPID ...\r\n1 /usr/sbin/authentication_milter\r\n"))
        #expect(!text.contains("further error report"))
        // Every line ends in CRLF: no bare LF.
        #expect(!text.crlfLines.joined().contains("\n"))
    }

    @Test func saysHowManyReportsTheRateLimitHeldBack() {
        let mail = ErrorMail(from: "a@example.com", to: "b@example.com", hostname: "mx")
        #expect(Self.text(mail, suppressed: 3).contains("\r\n3 further error reports were not mailed since the last mail"))
        #expect(Self.text(mail, suppressed: 1).contains("\r\n1 further error report was not mailed"))
    }

    @Test func nothingHostileReachesTheHeadersOrTheBody() {
        let mail = ErrorMail(from: "a@example.com", to: "b@example.com\r\nBcc: victim@example.net",
                             extraHeaders: [("Bad Name", "x"), ("Subject", "replaced?"), ("X-Ok", "v\r\nInjected: 1")], hostname: "mx")
        let hostile = ErrorReport(kind: .handlerError, text: "boom\u{1B}[31m\r\nBcc: x", role: "worker", pid: 1,
                                  trace: [String(repeating: "y", count: 5000)])
        let text = Self.text(mail, report: hostile)
        let head = text.headAndBody.head
        #expect(!head.contains("\r\nBcc:"))
        #expect(!head.contains("\r\nInjected:"))
        #expect(!head.contains("Bad Name"))
        #expect(head.crlfLines.filter { $0.hasPrefix("Subject:") }.count == 1)
        #expect(!text.contains("\u{1B}"))
        #expect(text.crlfLines.allSatisfy { $0.utf8.count <= 998 })
    }

    @Test func envelopeAddressIsTheAngleAddr() {
        #expect(ErrorMail.envelopeAddress("John Smith <john@example.com>") == "john@example.com")
        #expect(ErrorMail.envelopeAddress(" ops@example.com ") == "ops@example.com")
    }

    @Test func processTableLinesHavePerlsColumns() {
        let rows = [ProcessTableRow(pid: 20, parentPID: 10, commandLine: "authmilter-worker", sizeKiB: 2000, rssKiB: 1000,
                                    cpuSeconds: 5, startedAfterBootSeconds: 50),
                    ProcessTableRow(pid: 10, parentPID: 1, commandLine: "authentication_milter", sizeKiB: 4000, rssKiB: 2000,
                                    cpuSeconds: 1, startedAfterBootSeconds: 0)]
        let lines = ErrorMail.processTableLines(rows, memoryKiB: 100_000, uptimeSeconds: 100)
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("10 ") && lines[1].hasSuffix("2.0    1.0     authentication_milter"))
        #expect(lines[2].hasPrefix("20 ") && lines[2].contains(" 1.0 ") && lines[2].contains(" 10.0 "))
    }
}

extension String {
    /// Split at CRLF (Swift treats "\r\n" as one Character).
    var crlfLines: [String] { split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init) }

    /// Up to the first empty line, and after it.
    var headAndBody: (head: String, body: String) {
        let lines = crlfLines
        guard let blank = lines.firstIndex(of: "") else { return (self, "") }
        return (lines[..<blank].joined(separator: "\r\n"), lines[(blank + 1)...].joined(separator: "\r\n"))
    }
}
