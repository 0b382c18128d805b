import DMARCReports
import MailAuth
import TestSupport
import Testing
#if canImport(FoundationXML)
import Foundation
import FoundationXML
#else
import Foundation
#endif

/// A parsed element: name, text (concatenated character data) and children.
final class ParsedElement {
    let name: String
    var text = ""
    var children: [ParsedElement] = []

    init(name: String) { self.name = name }

    func all(_ name: String) -> [ParsedElement] { children.filter { $0.name == name } }
    func first(_ name: String) -> ParsedElement? { children.first { $0.name == name } }

    /// The text at a slash-separated child path, e.g. "row/count".
    func value(_ path: String) -> String? {
        var node: ParsedElement? = self
        for step in path.split(separator: "/") { node = node?.first(String(step)) }
        return node?.text
    }
}

/// Parses a document with Foundation's XMLParser (libxml2 on Linux) into
/// `ParsedElement`s; nil when the document is not well-formed.
final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    private var stack: [ParsedElement] = []
    private var root: ParsedElement?

    static func parse(_ bytes: [UInt8]) -> ParsedElement? {
        let builder = XMLTreeBuilder()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = builder
        guard parser.parse(), parser.parserError == nil else { return nil }
        return builder.root
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        let node = ParsedElement(name: elementName)
        if let parent = stack.last { parent.children.append(node) } else { root = node }
        stack.append(node)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        _ = stack.popLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }
}

@Suite struct AggregateReportXMLTests {
    private func parsed(_ report: AggregateReport) throws -> ParsedElement {
        // Parsed outside #require, so a failure does not print every byte.
        let tree = XMLTreeBuilder.parse(AggregateReportXML.bytes(report))
        return try #require(tree, "report XML must be well-formed")
    }

    @Test func startsWithTheXMLDeclaration() throws {
        let report = try #require(ReportFixtures.report([ReportFixtures.row(1)]))
        #expect(AggregateReportXML.document(report).hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback>\n"))
    }

    @Test func writesMetadataPolicyAndRecords() throws {
        let rows = [
            ReportFixtures.row(1, arrival: 10),
            ReportFixtures.row(2, arrival: 20),
            ReportFixtures.row(3, arrival: 30, sourceIP: "2001:db8::25", envelopeTo: nil, disposition: .quarantine,
                               dkimAligned: false, spfAligned: false,
                               reasons: [DMARCPolicyOverrideReason(type: .localPolicy, comment: "arc=pass"),
                                         DMARCPolicyOverrideReason(type: .sampledOut)],
                               dkim: [DMARCDKIMInput(domain: "sender.example", selector: "s1", result: "fail",
                                                     humanResult: "signature did not verify"),
                                      DMARCDKIMInput(domain: "esp.example", result: "pass")],
                               spf: [DMARCSPFInput(domain: "bounce.sender.example", result: "softfail"),
                                     DMARCSPFInput(domain: "mx.esp.example", scope: .helo, result: "pass")]),
        ]
        let feedback = try parsed(try #require(ReportFixtures.report(rows)))
        #expect(feedback.name == "feedback")
        #expect(feedback.children.map(\.name) == ["version", "report_metadata", "policy_published", "record", "record"])
        #expect(feedback.value("version") == "1.0")

        let metadata = try #require(feedback.first("report_metadata"))
        #expect(metadata.children.map(\.name) == ["org_name", "email", "extra_contact_info", "report_id", "date_range"])
        #expect(metadata.value("org_name") == "Example Mail Receiver")
        #expect(metadata.value("email") == "dmarc-reports@receiver.example")
        #expect(metadata.value("extra_contact_info") == "https://receiver.example/dmarc")
        #expect(metadata.value("report_id") == "r-1700000000-sender")
        #expect(metadata.value("date_range/begin") == "1699920000")
        #expect(metadata.value("date_range/end") == "1700006399")

        let policy = try #require(feedback.first("policy_published"))
        #expect(policy.value("domain") == "sender.example")
        #expect(policy.value("adkim") == "r")
        #expect(policy.value("aspf") == "s")
        #expect(policy.value("p") == "quarantine")
        #expect(policy.value("sp") == "quarantine", "sp falls back to p")
        #expect(policy.value("pct") == "100", "pct defaults to 100")
        #expect(policy.value("fo") == "1")
        #expect(policy.first("np") == nil, "np only when published")

        let records = feedback.all("record")
        #expect(records[0].value("row/source_ip") == "192.0.2.1")
        #expect(records[0].value("row/count") == "2")
        #expect(records[0].value("row/policy_evaluated/disposition") == "none")
        #expect(records[0].value("row/policy_evaluated/dkim") == "pass")
        #expect(records[0].value("row/policy_evaluated/spf") == "fail")
        #expect(records[0].first("row")?.first("policy_evaluated")?.all("reason").isEmpty == true)
        #expect(records[0].first("identifiers")?.children.map(\.name) == ["envelope_to", "envelope_from", "header_from"])
        #expect(records[0].value("identifiers/envelope_to") == "receiver.example")
        #expect(records[0].value("identifiers/envelope_from") == "bounce.sender.example")
        #expect(records[0].value("identifiers/header_from") == "sender.example")
        #expect(records[0].value("auth_results/dkim/selector") == "s1")
        #expect(records[0].first("auth_results")?.first("dkim")?.first("human_result") == nil)

        let second = records[1]
        #expect(second.value("row/source_ip") == "2001:db8::25")
        #expect(second.value("row/count") == "1")
        #expect(second.value("row/policy_evaluated/disposition") == "quarantine")
        #expect(second.value("row/policy_evaluated/dkim") == "fail")
        let reasons = try #require(second.first("row")?.first("policy_evaluated")).all("reason")
        #expect(reasons.map { $0.value("type") } == ["local_policy", "sampled_out"])
        #expect(reasons.map { $0.value("comment") } == ["arc=pass", nil])
        #expect(second.first("identifiers")?.children.map(\.name) == ["envelope_from", "header_from"])
        let auth = try #require(second.first("auth_results"))
        #expect(auth.children.map(\.name) == ["dkim", "dkim", "spf", "spf"])
        let dkim = auth.all("dkim")
        #expect(dkim.map { $0.value("domain") } == ["sender.example", "esp.example"])
        #expect(dkim.map { $0.value("selector") } == ["s1", nil])
        #expect(dkim.map { $0.value("result") } == ["fail", "pass"])
        #expect(dkim.map { $0.value("human_result") } == ["signature did not verify", nil])
        let spf = auth.all("spf")
        #expect(spf.map { $0.value("domain") } == ["bounce.sender.example", "mx.esp.example"])
        #expect(spf.map { $0.value("scope") } == ["mfrom", "helo"])
        #expect(spf.map { $0.value("result") } == ["softfail", "pass"])
    }

    @Test func publishedSpPctAndNpAreWritten() throws {
        let policy = DMARCReportPolicy(adkim: .strict, aspf: .relaxed, p: "reject", sp: "none", np: "quarantine", pct: 20,
                                       fo: "d:s", rua: "mailto:a@sender.example")
        let feedback = try parsed(try #require(ReportFixtures.report([ReportFixtures.row(1, policy: policy)])))
        let published = try #require(feedback.first("policy_published"))
        #expect(published.value("adkim") == "s")
        #expect(published.value("aspf") == "r")
        #expect(published.value("p") == "reject")
        #expect(published.value("sp") == "none")
        #expect(published.value("pct") == "20")
        #expect(published.value("fo") == "d:s")
        #expect(published.value("np") == "quarantine")
    }

    @Test func policyWordsOutsideTheSchemaAreReplaced() throws {
        let policy = DMARCReportPolicy(p: "bogus", sp: "Reject ", np: "maybe", fo: "", rua: "mailto:a@sender.example")
        let feedback = try parsed(try #require(ReportFixtures.report([ReportFixtures.row(1, policy: policy)])))
        let published = try #require(feedback.first("policy_published"))
        #expect(published.value("p") == "none")
        #expect(published.value("sp") == "reject")
        #expect(published.first("np") == nil)
        #expect(published.value("fo") == "0")
    }

    @Test func noSPFResultStillWritesTheRequiredSPFElement() throws {
        let rows = [
            ReportFixtures.row(1, envelopeFrom: "bounce.sender.example", spf: []),
            ReportFixtures.row(2, sourceIP: "203.0.113.5", envelopeFrom: "", spf: []),
        ]
        let feedback = try parsed(try #require(ReportFixtures.report(rows)))
        let records = feedback.all("record")
        #expect(records.count == 2)
        let withSender = try #require(records[0].first("auth_results")).all("spf")
        #expect(withSender.count == 1)
        #expect(withSender.first?.value("domain") == "bounce.sender.example")
        #expect(withSender.first?.value("scope") == "mfrom")
        #expect(withSender.first?.value("result") == "none")
        // Null sender: the envelope from is empty, and so is the domain.
        let nullSender = try #require(records[1].first("auth_results")).all("spf")
        #expect(nullSender.count == 1)
        #expect(nullSender.first?.value("domain") == "")
        #expect(records[1].value("identifiers/envelope_from") == "")
    }

    @Test(arguments: [
        ("pass", "pass"), ("PASS", "pass"), (" fail ", "fail"), ("none", "none"), ("policy", "policy"),
        ("neutral", "neutral"), ("temperror", "temperror"), ("permerror", "permerror"), ("invalid", "permerror"),
        ("hardfail", "fail"), ("softfail", "fail"), ("tempfail", "temperror"), ("error", "temperror"),
        ("", "permerror"), ("<script>", "permerror"),
    ])
    func dkimResultWordsAreFromTheSchema(word: String, expected: String) {
        #expect(AggregateReportXML.dkimResultWord(word) == expected)
    }

    @Test(arguments: [
        ("pass", "pass"), ("Fail", "fail"), ("softfail", "softfail"), ("neutral", "neutral"), ("none", "none"),
        ("temperror", "temperror"), ("permerror", "permerror"), ("hardfail", "fail"), ("error", "temperror"),
        ("tempfail", "temperror"), ("unknown", "permerror"), ("invalid", "permerror"), ("policy", "neutral"),
        ("", "permerror"), ("pass\u{0}", "permerror"),
    ])
    func spfResultWordsAreFromTheSchema(word: String, expected: String) {
        #expect(AggregateReportXML.spfResultWord(word) == expected)
    }

    @Test func resultWordsInTheDocumentAreMapped() throws {
        let row = ReportFixtures.row(1, dkim: [DMARCDKIMInput(domain: "sender.example", selector: "s", result: "invalid")],
                                     spf: [DMARCSPFInput(domain: "sender.example", result: "HardFail")])
        let feedback = try parsed(try #require(ReportFixtures.report([row])))
        #expect(feedback.first("record")?.value("auth_results/dkim/result") == "permerror")
        #expect(feedback.first("record")?.value("auth_results/spf/result") == "fail")
    }

    @Test func escapeHandlesMarkupAndForbiddenCharacters() {
        #expect(AggregateReportXML.escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&apos;f")
        #expect(AggregateReportXML.escape("]]>") == "]]&gt;")
        #expect(AggregateReportXML.escape("t\tn\nr\r") == "t&#9;n&#10;r&#13;")
        #expect(AggregateReportXML.escape("\u{0}\u{1}\u{1B}\u{1F}") == "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(AggregateReportXML.escape("\u{FFFE}\u{FFFF}") == "\u{FFFD}\u{FFFD}")
        #expect(AggregateReportXML.escape("é日\u{1F600}\u{7F}") == "é日\u{1F600}\u{7F}")
    }

    @Test func hostileRowTextStaysWellFormed() throws {
        let invalidUTF8 = String(decoding: [0x62, 0xFF, 0xC3, 0x28, 0xED, 0xA0, 0x80, 0x7A] as [UInt8], as: UTF8.self)
        let hostile = "evil<from>&amp;\"quoted\" 'x' ]]> <!-- --> <?pi?> \u{0}\u{8}\u{B}\u{C}\u{1B}\u{FFFE}\r\n\t" + invalidUTF8
        let reporter = DMARCReporter(orgName: "Org </org_name><injected/>", email: "a&b@receiver.example",
                                     domain: "receiver.example", extraContactInfo: "\u{1}<x>")
        let row = ReportFixtures.row(1, policyDomain: "sender.example", sourceIP: "192.0.2.1\"><x>",
                                     headerFrom: hostile, envelopeFrom: "<\u{0}>", envelopeTo: "&&",
                                     reasons: [DMARCPolicyOverrideReason(type: .other, comment: hostile)],
                                     dkim: [DMARCDKIMInput(domain: hostile, selector: "<s>", result: "pass",
                                                           humanResult: hostile)],
                                     spf: [DMARCSPFInput(domain: hostile, result: "pass")])
        let report = try #require(AggregateReport(reporter: reporter, reportID: "id<&>", begin: 1, end: 2,
                                                  policyDomain: "sender.example", rows: [row], format: .rfc7489))
        let feedback = try parsed(report)

        // What a reader gets back: markup intact as text, forbidden
        // characters replaced one for one, tab/CR/LF preserved.
        let expected = "evil<from>&amp;\"quoted\" 'x' ]]> <!-- --> <?pi?> "
            + String(repeating: "\u{FFFD}", count: 6) + "\r\n\t" + invalidUTF8
        let record = try #require(feedback.first("record"))
        #expect(record.value("identifiers/header_from") == expected)
        #expect(record.value("identifiers/envelope_from") == "<\u{FFFD}>")
        #expect(record.value("identifiers/envelope_to") == "&&")
        #expect(record.value("row/source_ip") == "192.0.2.1\"><x>")
        #expect(record.value("row/policy_evaluated/reason/comment") == expected)
        #expect(record.value("auth_results/dkim/domain") == expected)
        #expect(record.value("auth_results/dkim/selector") == "<s>")
        #expect(record.value("auth_results/dkim/human_result") == expected)
        #expect(record.value("auth_results/spf/domain") == expected)
        #expect(feedback.value("report_metadata/org_name") == "Org </org_name><injected/>")
        #expect(feedback.value("report_metadata/email") == "a&b@receiver.example")
        #expect(feedback.value("report_metadata/extra_contact_info") == "\u{FFFD}<x>")
        #expect(feedback.value("report_metadata/report_id") == "id<&>")
        // No element was injected anywhere.
        #expect(record.first("identifiers")?.children.map(\.name) == ["envelope_to", "envelope_from", "header_from"])
        #expect(feedback.first("report_metadata")?.children.map(\.name)
            == ["org_name", "email", "extra_contact_info", "report_id", "date_range"])
    }

    @Test func manyRecordsAllArrive() throws {
        let rows = (0..<300).map { ReportFixtures.row($0 + 1, arrival: Int64($0), sourceIP: "10.0.\($0 / 256).\($0 % 256)") }
            + (0..<300).map { ReportFixtures.row($0 + 1000, arrival: Int64(1000 + $0), sourceIP: "10.0.\($0 / 256).\($0 % 256)") }
        let feedback = try parsed(try #require(ReportFixtures.report(rows)))
        let records = feedback.all("record")
        #expect(records.count == 300)
        #expect(records.allSatisfy { $0.value("row/count") == "2" })
        #expect(records.first?.value("row/source_ip") == "10.0.0.0")
        #expect(records.last?.value("row/source_ip") == "10.0.1.43")
    }
}

/// Cross-check with an independent reader: parsedmarc, the widely used
/// report parser, must read our `.xml.gz` and count what we counted.
@Suite struct ParsedmarcCheckTests {
    /// A Python interpreter with parsedmarc installed. Skipped when unset:
    /// parsedmarc is a large Python package that developer machines do not
    /// need; CI sets the variable so the check runs there.
    static let python = ProcessInfo.processInfo.environment["AUTHMILTER_PARSEDMARC_PYTHON"]

    @Test(.enabled(if: python != nil, "AUTHMILTER_PARSEDMARC_PYTHON is not set (CI sets it)"),
          arguments: [AggregateReportFormat.rfc7489, .rfc9990])
    func parsedmarcReadsOurReportAndAgreesOnCounts(format: AggregateReportFormat) throws {
        let python = try #require(Self.python)
        let rows = [
            ReportFixtures.row(1, arrival: 1_699_930_000),
            ReportFixtures.row(2, arrival: 1_699_940_000),
            ReportFixtures.row(3, arrival: 1_699_950_000, sourceIP: "203.0.113.77", disposition: .quarantine,
                               dkimAligned: false, spfAligned: false, reasons: [DMARCPolicyOverrideReason(type: .localPolicy, comment: "test")]),
            ReportFixtures.row(4, arrival: 1_699_960_000, sourceIP: "2001:db8::5", envelopeFrom: "", disposition: .reject,
                               dkimAligned: false, spfAligned: false, spf: []),
            ReportFixtures.row(5, arrival: 1_699_970_000, sourceIP: "203.0.113.77", disposition: .quarantine,
                               dkimAligned: false, spfAligned: false, reasons: [DMARCPolicyOverrideReason(type: .localPolicy, comment: "test")]),
        ]
        let report = try #require(ReportFixtures.report(rows, reportID: "r-1699920000-sender-example", format: format))
        let email = AggregateReportEmail(report: report, to: ["rua@sender.example"], date: 1_700_006_400)

        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("authmilter-parsedmarc-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(email.filename)
        try Data(email.gzip).write(to: file)

        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tests/e2e/parsedmarc-check.py")
        let run = try ExternalCommand.run([python, script.path, file.path], separateErrors: true)
        let data = run.outputBytes
        #expect(run.status == 0)

        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any],
                                  "script output: \(String(decoding: data, as: UTF8.self))")
        #expect(object["org_name"] as? String == "Example Mail Receiver")
        #expect(object["report_id"] as? String == "r-1699920000-sender-example")
        #expect(object["policy_domain"] as? String == "sender.example")
        #expect(object["records"] as? Int == report.records.count)
        #expect(object["messages"] as? Int == report.messageCount)
        #expect(object["messages"] as? Int == 5)
        let dispositions = try #require(object["dispositions"] as? [String: Int])
        // RFC 9990 says `pass` for the two DKIM passes under p=quarantine.
        #expect(dispositions == [format == .rfc7489 ? "none" : "pass": 2, "quarantine": 2, "reject": 1])
    }
}
