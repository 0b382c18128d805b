import MailAuth
import MessageLog
import Testing

@Suite struct ARexFormatOptionsTests {
    static let header = AuthenticationResultsHeader(authservID: "mx.example.com", entries: [
        AuthResultsEntry(method: "spf", result: "pass", properties: [AuthResultsProperty(key: "smtp.mailfrom", value: "a@example.com"),
                                                                      AuthResultsProperty(key: "smtp.helo", value: "mx.example.net")]),
        AuthResultsEntry(method: "dkim", result: "none", comment: AuthResultsComment("no signatures found")),
    ])
    static let bimi = AuthenticationResultsHeader(authservID: "mx.example.com", entries: [AuthResultsEntry(method: "bimi", result: "skipped")])
    static var logLine: String {
        "Q1: ARex: " + ARexLine(queueID: "Q1", headers: [.init(fieldName: "Authentication-Results", header: header),
                                                         .init(fieldName: "X-Experimental-Results", header: bimi)]).json
    }

    @Test func parsesPerlsOptionNames() throws {
        let o = try ARexFormatOptions.parse(["--combine", "--fold_at", "60", "--indent_by=2", "-s", "full", "-p", "1", "a.log", "--", "-b.log"])
        #expect(o.combine && o.foldAt == 60 && o.indentBy == 2 && o.indentStyle == .full && o.space == 1)
        #expect(o.files == ["a.log", "-b.log"])
        let defaults = try ARexFormatOptions.parse([])
        #expect(!defaults.combine && defaults.foldAt == 99_999 && defaults.indentBy == nil && defaults.indentStyle == nil && defaults.space == 0)
    }

    @Test func refusesWhatPerlRefuses() {
        #expect(throws: ARexFormatOptions.UsageError.self) { try ARexFormatOptions.parse(["--indent_style", "wide"]) }
        do {
            _ = try ARexFormatOptions.parse(["--indent_style", "wide"])
        } catch {
            #expect(error.description == "Unknown indent style")
        }
        #expect(throws: ARexFormatOptions.UsageError.self) { try ARexFormatOptions.parse(["--fold_at", "-3"]) }
        #expect(throws: ARexFormatOptions.UsageError.self) { try ARexFormatOptions.parse(["--space", "x"]) }
        #expect(throws: ARexFormatOptions.UsageError.self) { try ARexFormatOptions.parse(["--indent_by"]) }
        #expect(throws: ARexFormatOptions.UsageError.self) { try ARexFormatOptions.parse(["--space", "100001"]) }
        #expect(throws: ARexFormatOptions.UsageError.self) { try ARexFormatOptions.parse(["--bogus"]) }
        // Perl applies indent_by only when true.
        #expect((try? ARexFormatOptions.parse(["--indent_by", "0"]))?.indentBy == nil)
        #expect((try? ARexFormatOptions.parse(["--indent_by", "0"])) != nil)
    }

    @Test func printsEachHeaderWithTheModulesDefaults() throws {
        let out = try ARexFormatOptions.parse([]).render(logLine: Self.logLine)
        #expect(out == "Authentication-Results: mx.example.com;\n    spf=pass smtp.mailfrom=a@example.com smtp.helo=mx.example.net;\n    dkim=none (no signatures found)\n"
                + "X-Experimental-Results: mx.example.com;\n    bimi=skipped\n")
    }

    @Test func combinesIntoOneHeader() throws {
        let out = try ARexFormatOptions.parse(["--combine", "--indent_style", "none"]).render(logLine: Self.logLine)
        #expect(out == "Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=a@example.com smtp.helo=mx.example.net; dkim=none (no signatures found); bimi=skipped\n")
    }

    @Test func indentStyleAndIndentByShapeTheLines() throws {
        let out = try ARexFormatOptions.parse(["-c", "-s", "subentry", "-b", "2"]).render(logLine: Self.logLine)
        #expect(out.hasPrefix("Authentication-Results: mx.example.com;\n  spf=pass\n    smtp.mailfrom=a@example.com\n    smtp.helo=mx.example.net;\n  dkim=none (no signatures found);\n  bimi=skipped\n"))
    }

    @Test func foldAtFoldsLongLines() throws {
        let wide = try ARexFormatOptions.parse(["-c", "-s", "none"]).render(logLine: Self.logLine)
        let folded = try ARexFormatOptions.parse(["-c", "-s", "none", "--fold_at", "40"]).render(logLine: Self.logLine)
        #expect(wide.split(separator: "\n").count == 1)
        #expect(folded.split(separator: "\n").count > 1)
        #expect(folded.split(separator: "\n").dropFirst().allSatisfy { $0.hasPrefix(" ") })
    }

    @Test func spaceAddsBlankLinesAndBadLinesSaySo() throws {
        let out = try ARexFormatOptions.parse(["-c", "-p", "2"]).render(logLine: Self.logLine)
        #expect(out.hasSuffix("bimi=skipped\n\n\n"))
        #expect(try ARexFormatOptions.parse([]).render(logLine: "Q1: SPF: pass") == "Error decoding line.\n")
    }
}
