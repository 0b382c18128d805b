import BlockerRules
import Testing

/// The strict TOML subset of Blocker files: what Perl's tool writes and
/// its template shows is read exactly; everything else is refused with
/// its line and column.
@Suite struct TOMLParserTests {
    @Test func aRuleFileAsPerlsToolWritesIt() throws {
        let text = """

            # comment line
            [flood]
            callback = "connect"
            percent = 100
            until = 1573514783
            value = "192\\\\.168\\\\.0\\\\.1"   # trailing comment
            with = "451 4.7.28 flood policy violation (HOTtest)"

            ["odd id"]
            value = '^\\d+ literal'
            percent = 12.5
            on = true

            """
        let document = try TOMLParser.parse(text)
        #expect(document.tables.map(\.name) == ["flood", "odd id"])
        #expect(document[table: "flood"]?["value"] == .string("192\\.168\\.0\\.1"))
        #expect(document[table: "flood"]?["until"] == .integer(1_573_514_783))
        #expect(document[table: "flood"]?.entries.map(\.key) == ["callback", "percent", "until", "value", "with"])
        #expect(document[table: "odd id"]?["value"] == .string("^\\d+ literal"))
        #expect(document[table: "odd id"]?["percent"] == .float(12.5))
        #expect(document[table: "odd id"]?["on"] == .boolean(true))
        #expect(document.topLevel.entries.isEmpty)
    }

    @Test func escapesOfBasicStrings() throws {
        let document = try TOMLParser.parse(#"k = "a\tb\n\"q\" \\ \u00e9\U0001F600""#)
        #expect(document.topLevel["k"] == .string("a\tb\n\"q\" \\ é😀"))
    }

    @Test func crlfLinesAndNumbersWithUnderscores() throws {
        let document = try TOMLParser.parse("[a]\r\nn = 1_000\r\nm = -5\r\nf = 1e3\r\n")
        #expect(document[table: "a"]?["n"] == .integer(1000))
        #expect(document[table: "a"]?["m"] == .integer(-5))
        #expect(document[table: "a"]?["f"] == .float(1000))
    }

    /// Each refusal with its exact position and text.
    @Test(arguments: [
        ("[a]\nk = \"open", BlockerRulesError.syntax(line: 2, column: 5, message: "string not closed")),
        ("[a]\nk = 1\nk = 2", BlockerRulesError.syntax(line: 3, column: 1, message: "duplicate key 'k' in table [a]")),
        ("[a]\n[a]", BlockerRulesError.syntax(line: 2, column: 1, message: "table [a] is defined twice")),
        ("k = [1, 2]", BlockerRulesError.syntax(line: 1, column: 5, message: "arrays are not supported in Blocker files")),
        ("k = {a = 1}", BlockerRulesError.syntax(line: 1, column: 5, message: "inline tables are not supported in Blocker files")),
        ("a.b = 1", BlockerRulesError.syntax(line: 1, column: 2, message: "dotted keys are not supported in Blocker files")),
        ("[a.b]", BlockerRulesError.syntax(line: 1, column: 3, message: "dotted table names are not supported in Blocker files")),
        ("[[a]]", BlockerRulesError.syntax(line: 1, column: 2, message: "arrays of tables ([[...]]) are not supported in Blocker files")),
        (#"v = "\d+""#, BlockerRulesError.syntax(line: 1, column: 6, message: #"unknown escape '\d' (write '\\' for a backslash, or use a 'literal string')"#)),
        ("k = 012", BlockerRulesError.syntax(line: 1, column: 5, message: "a number may not start with 0")),
        ("k = 0x1f", BlockerRulesError.syntax(line: 1, column: 5, message: "hexadecimal, octal and binary numbers are not supported in Blocker files")),
        ("k = 1979-05-27", BlockerRulesError.syntax(line: 1, column: 5, message: "dates and times are not supported in Blocker files")),
        ("k = 1__0", BlockerRulesError.syntax(line: 1, column: 6, message: "'_' must stand between digits")),
        ("k = 99999999999999999999", BlockerRulesError.syntax(line: 1, column: 5, message: "integer out of range")),
        ("k = yes", BlockerRulesError.syntax(line: 1, column: 5, message: "expected a value, found 'y'")),
        ("k = 1 2", BlockerRulesError.syntax(line: 1, column: 7, message: "expected the end of the line, found '2'")),
        ("k 1", BlockerRulesError.syntax(line: 1, column: 3, message: "expected '=' after the key 'k'")),
        ("k = 1\rx = 2", BlockerRulesError.syntax(line: 1, column: 6, message: "carriage return without a line feed")),
        ("k = \"a\u{1}\"", BlockerRulesError.syntax(line: 1, column: 7, message: "control character U+0001 in a string; write it as an escape")),
        ("k = \"\"\"x\"\"\"", BlockerRulesError.syntax(line: 1, column: 5, message: "multi-line strings are not supported in Blocker files")),
        ("k = \"\\uD800\"", BlockerRulesError.syntax(line: 1, column: 6, message: "\\uD800 is not a Unicode scalar value")),
        ("= 1", BlockerRulesError.syntax(line: 1, column: 1, message: "expected a key, found '='")),
    ])
    func refusals(text: String, expected: BlockerRulesError) {
        #expect(throws: expected) { try TOMLParser.parse(text) }
    }

    @Test func bytesThatAreNotUTF8AreRefusedWhereTheyAre() {
        let bytes = Array("[a]\nk = \"".utf8) + [0xff] + Array("\"".utf8)
        #expect(throws: BlockerRulesError.syntax(line: 2, column: 6, message: "not UTF-8")) { try TOMLParser.parse(bytes) }
    }

    @Test func whatTheWriterWritesReadsBackTheSame() throws {
        let document = TOMLDocument(tables: [
            .init(name: "a b", entries: [("value", .string("x\"\\\n\u{7}y")), ("percent", .integer(5)), ("f", .float(2)), ("t", .boolean(false))]),
            .init(name: "plain", entries: [("callback", .string("helo"))]),
        ])
        let text = TOMLWriter.render(document)
        #expect(text == "[\"a b\"]\nvalue = \"x\\\"\\\\\\n\\u0007y\"\npercent = 5\nf = 2.0\nt = false\n\n[plain]\ncallback = \"helo\"\n")
        #expect(try TOMLParser.parse(text) == document)
    }

    @Test func theTemplateParsesToNoRules() throws {
        let document = try TOMLParser.parse(BlockerFileTemplate.text)
        #expect(document.tables.isEmpty && document.topLevel.entries.isEmpty)
    }

    @Test func perlNumbersOfValues() {
        #expect(TOMLValue.string("50").perlNumber == 50)
        #expect(TOMLValue.string(" 12.5abc").perlNumber == 12.5)
        #expect(TOMLValue.string("abc").perlNumber == 0)
        #expect(TOMLValue.string("-3").perlNumber == -3)
        #expect(TOMLValue.boolean(true).perlNumber == 1)
        #expect(TOMLValue.integer(7).perlString == "7")
    }
}
