import DMARCReports
import Foundation
import MailAuth
import Testing

/// A message split the way a mail reader would: unfolded headers (names
/// lowercased) and the body lines.
private struct ParsedMessage {
    var headers: [(name: String, value: String)] = []
    var bodyLines: [String] = []

    func header(_ name: String) -> String? { headers.first { $0.name == name.lowercased() }?.value }

    /// Splits CRLF text; nil if any line has a bare CR or LF or the
    /// header block is malformed (a line that is neither a field nor a
    /// continuation).
    init?(lines: [String]) {
        guard let blank = lines.firstIndex(of: "") else { return nil }
        for line in lines[..<blank] {
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                guard !headers.isEmpty else { return nil }
                headers[headers.count - 1].value += line
            } else {
                guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else { return nil }
                let name = line[..<colon]
                guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { return nil }
                headers.append((name.lowercased(), String(line[line.index(after: colon)...].drop { $0 == " " })))
            }
        }
        bodyLines = Array(lines[(blank + 1)...])
    }

    /// The value of a `key="value"` parameter in a header.
    func parameter(_ header: String, _ key: String) -> String? {
        guard let value = self.header(header), let range = value.range(of: "\(key)=\"") else { return nil }
        let rest = value[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }
}

@Suite struct AggregateReportEmailTests {
    /// Lines of a message, checking CRLF line ends, ASCII and length.
    private func lines(of bytes: [UInt8]) throws -> [String] {
        #expect(bytes.allSatisfy { $0 < 0x80 }, "message must be ASCII")
        #expect(bytes.suffix(2) == [0x0D, 0x0A], "message ends with CRLF")
        var lines: [String] = []
        var current: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D {
                try #require(index + 1 < bytes.count && bytes[index + 1] == 0x0A, "bare CR at \(index)")
                lines.append(String(decoding: current, as: UTF8.self))
                current = []
                index += 2
                continue
            }
            try #require(byte != 0x0A, "bare LF at \(index)")
            current.append(byte)
            index += 1
        }
        #expect(lines.allSatisfy { $0.utf8.count <= 998 }, "no line over 998 bytes")
        return lines
    }

    private func report(_ rows: [DMARCReportRow] = [ReportFixtures.row(1), ReportFixtures.row(2, sourceIP: "203.0.113.4")],
                        reporter: DMARCReporter = ReportFixtures.reporter, policyDomain: String = "sender.example",
                        reportID: String = "r-1700000000-sender") throws -> AggregateReport {
        try #require(AggregateReport(reporter: reporter, reportID: reportID, begin: 1_699_920_000, end: 1_700_006_399,
                                     policyDomain: policyDomain, rows: rows))
    }

    @Test func filenameFollowsRFC7489() throws {
        let report = try report()
        let name = AggregateReportEmail.filename(for: report)
        #expect(name == "receiver.example!sender.example!1699920000!1700006399!r-1700000000-sender.xml.gz")
        let form = /^[A-Za-z0-9._-]+![A-Za-z0-9._-]+![0-9]+![0-9]+(![A-Za-z0-9._-]+)?\.xml\.gz$/
        #expect(name.wholeMatch(of: form) != nil)
    }

    @Test func filenameCleansHostileParts() throws {
        let rows = [ReportFixtures.row(1, policyDomain: "../../etc/passwd\"!x")]
        let report = try report(rows, policyDomain: "../../etc/passwd\"!x", reportID: "a b/c!d\r\n")
        let name = AggregateReportEmail.filename(for: report)
        #expect(name == "receiver.example!.._.._etc_passwd__x!1699920000!1700006399!a_b_c_d__.xml.gz")
        #expect(name.split(separator: "!").count == 5)
        #expect(!name.contains("/") && !name.contains("\""))
    }

    @Test func filenameLeavesOutAnEmptyUniqueID() throws {
        let name = AggregateReportEmail.filename(for: try report(reportID: ""))
        #expect(name == "receiver.example!sender.example!1699920000!1700006399.xml.gz")
    }

    @Test func subjectFollowsRFC7489() throws {
        #expect(AggregateReportEmail.subject(for: try report())
            == "Report Domain: sender.example Submitter: receiver.example Report-ID: <r-1700000000-sender@receiver.example>")
        #expect(AggregateReportEmail.subject(for: try report(reportID: "42@reports.receiver.example"))
            == "Report Domain: sender.example Submitter: receiver.example Report-ID: <42@reports.receiver.example>")
    }

    @Test func messageCarriesHeadersSummaryAndAttachment() throws {
        let report = try report()
        let email = AggregateReportEmail(report: report, to: ["rua@sender.example", "dmarc@third.example"],
                                         date: 1_700_006_400)
        let message = try #require(ParsedMessage(lines: try lines(of: email.bytes)))

        #expect(message.header("From") == "dmarc-reports@receiver.example")
        #expect(message.header("To") == "rua@sender.example, dmarc@third.example")
        #expect(message.header("Subject") == email.subject)
        #expect(message.header("Date") == "Wed, 15 Nov 2023 00:00:00 +0000")
        #expect(message.header("Message-ID") == "<dmarc-aggregate.r-1700000000-sender.1699920000@receiver.example>")
        #expect(message.header("Message-ID") == email.messageID)
        #expect(message.header("MIME-Version") == "1.0")
        #expect(message.header("Content-Type")?.hasPrefix("multipart/mixed;") == true)

        let boundary = try #require(message.parameter("Content-Type", "boundary"))
        #expect(message.bodyLines.last == "--\(boundary)--")
        let delimiters = message.bodyLines.indices.filter { message.bodyLines[$0] == "--\(boundary)" }
        #expect(delimiters.count == 2)
        let end = try #require(message.bodyLines.lastIndex(of: "--\(boundary)--"))

        let text = try #require(ParsedMessage(lines: Array(message.bodyLines[(delimiters[0] + 1)..<delimiters[1]])))
        #expect(text.header("Content-Type") == "text/plain; charset=us-ascii")
        #expect(text.bodyLines.contains("Records: 2"))
        #expect(text.bodyLines.contains("Messages: 2"))
        #expect(text.bodyLines.contains { $0.contains("sender.example") })

        let attachment = try #require(ParsedMessage(lines: Array(message.bodyLines[(delimiters[1] + 1)..<end])))
        #expect(attachment.header("Content-Type")?.hasPrefix("application/gzip;") == true)
        #expect(attachment.header("Content-Transfer-Encoding") == "base64")
        #expect(attachment.header("Content-Disposition")?.hasPrefix("attachment;") == true)
        #expect(attachment.parameter("Content-Disposition", "filename") == email.filename)
        #expect(attachment.parameter("Content-Type", "name") == email.filename)
        #expect(email.filename == AggregateReportEmail.filename(for: report))

        let base64Lines = attachment.bodyLines.filter { !$0.isEmpty }
        #expect(base64Lines.dropLast().allSatisfy { $0.count == 76 })
        #expect(base64Lines.allSatisfy { $0.count <= 76 })
        let decoded = try #require(Data(base64Encoded: base64Lines.joined()))
        #expect(Array(decoded) == email.gzip)
        #expect(try Gzip.decompress(Array(decoded), limit: 1 << 20) == AggregateReportXML.bytes(report))
    }

    @Test func givenMessageIDIsUsed() throws {
        let email = AggregateReportEmail(report: try report(), to: ["rua@sender.example"], date: 0,
                                         messageID: "<fixed@receiver.example>")
        let message = try #require(ParsedMessage(lines: try lines(of: email.bytes)))
        #expect(message.header("Message-ID") == "<fixed@receiver.example>")
        #expect(message.header("Date") == "Thu, 01 Jan 1970 00:00:00 +0000")
    }

    @Test func manyRecipientsAreFolded() throws {
        let recipients = (1...40).map { "rua-\($0)@recipient-\($0).example" }
        let email = AggregateReportEmail(report: try report(), to: recipients, date: 1_700_006_400)
        let all = try lines(of: email.bytes)
        let toStart = try #require(all.firstIndex { $0.hasPrefix("To:") })
        let continuation = all[(toStart + 1)...].prefix { $0.hasPrefix(" ") }
        #expect(continuation.count > 5)
        #expect(all[toStart...].prefix(continuation.count + 1).allSatisfy { $0.count <= 78 })
        let message = try #require(ParsedMessage(lines: all))
        #expect(message.header("To")?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } == recipients)
    }

    @Test func hostileValuesCannotAddHeadersOrBreakTheStructure() throws {
        let hostileDomain = "sender.example\r\nBcc: victim@example.com\r\n\r\n--x"
        let reporter = DMARCReporter(orgName: "Org\r\nX-Injected: 1 =_authmilter_dmarc_1699920000 é",
                                     email: "dmarc@receiver.example\r\nX-Injected: 2", domain: "receiver.example\nX: 3")
        let rows = [ReportFixtures.row(1, policyDomain: hostileDomain, headerFrom: "<&>\u{0}")]
        let report = try report(rows, reporter: reporter, policyDomain: hostileDomain, reportID: "id>\r\nX-Injected: 4")
        let email = AggregateReportEmail(report: report, to: ["rua@sender.example\r\nX-Injected: 5"], date: 1_700_006_400)
        let all = try lines(of: email.bytes)
        let message = try #require(ParsedMessage(lines: all))
        #expect(message.headers.map(\.name) == ["from", "to", "subject", "date", "message-id", "mime-version", "content-type"])
        #expect(!all.contains { $0.hasPrefix("X-Injected") || $0.hasPrefix("Bcc") || $0.hasPrefix("X:") })

        // The org name holds the first boundary candidate: another is chosen.
        let boundary = try #require(message.parameter("Content-Type", "boundary"))
        #expect(boundary != "=_authmilter_dmarc_1699920000")
        #expect(message.bodyLines.filter { $0.hasPrefix("--\(boundary)") }.count == 3)
        #expect(email.filename.wholeMatch(of: /^[A-Za-z0-9._-]+(![A-Za-z0-9._-]+){3,4}\.xml\.gz$/) != nil)

        // The report inside is still intact XML.
        let xml = try Gzip.decompress(email.gzip, limit: 1 << 20)
        let tree = XMLTreeBuilder.parse(xml)
        #expect(tree?.value("record/identifiers/header_from") == "<&>\u{FFFD}")
    }

    @Test(arguments: [
        (Int64(0), "Thu, 01 Jan 1970 00:00:00 +0000"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 +0000"),
        (1_700_000_000, "Tue, 14 Nov 2023 22:13:20 +0000"),
        (1_709_164_800, "Thu, 29 Feb 2024 00:00:00 +0000"),
        (4_102_444_800, "Fri, 01 Jan 2100 00:00:00 +0000"),
        (-1, "Wed, 31 Dec 1969 23:59:59 +0000"),
        (-62_135_596_800, "Mon, 01 Jan 0001 00:00:00 +0000"),
    ])
    func datesAreRFC5322InUTC(seconds: Int64, expected: String) {
        #expect(AggregateReportEmail.rfc5322Date(seconds) == expected)
    }
}
