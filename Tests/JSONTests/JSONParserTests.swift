import Testing

@testable import JSON

@Suite struct JSONParserTests {
    @Test func parsesEveryTypeAndKeepsKeyOrder() throws {
        let value = try JSONParser.parse(#"{"z": null, "a": [true, false, -1.5e2, 0], "m": {"s": "x"}}"#)
        let object = try #require(value.objectValue)
        #expect(object.keys == ["z", "a", "m"])
        #expect(value["z"] == .null)
        #expect(value["a"] == [true, false, -150, 0])
        #expect(value["m"]?["s"] == "x")
    }

    @Test func reportsLineAndColumnOfAMissingComma() {
        let error = parseError(#"{"a": 1 "b": 2}"#)
        #expect(error?.position == JSONSourcePosition(line: 1, column: 9))
        #expect(error?.message == "unexpected '\"', expected ',' or '}'")
        #expect(error?.description == "1:9: unexpected '\"', expected ',' or '}'")
    }

    @Test func reportsPositionsOnLaterLines() {
        let text = "{\n  \"a\": [1, 2,\n  ]\n}"
        let error = parseError(text)
        #expect(error?.position == JSONSourcePosition(line: 3, column: 3))
        #expect(error?.message == "trailing comma before ']'")
        // The same text is fine the way Perl's relaxed decoder reads it.
        #expect(parseError(text, options: .configurationFile) == nil)
    }

    @Test func columnsCountCharactersNotBytes() {
        let error = parseError("{\"é€\": x}")
        #expect(error?.position == JSONSourcePosition(line: 1, column: 8))
    }

    @Test func unterminatedStringPointsAtItsStart() {
        // A raw newline inside a string is caught where it is.
        let error = parseError("{\n  \"key\": \"abc\n}")
        #expect(error?.description == "2:14: control character U+000A must be escaped in a string")
        #expect(parseError("\"abc")?.message == "unterminated string")
        #expect(parseError("\"abc")?.position == JSONSourcePosition(line: 1, column: 1))
    }

    @Test func refusesTrailingGarbage() {
        #expect(parseError("{} x")?.description == "1:4: unexpected 'x' after the JSON value")
        #expect(parseError("[1]]")?.position == JSONSourcePosition(line: 1, column: 4))
        #expect(parseError("1 2") != nil)
    }

    @Test func refusesEmptyInput() {
        #expect(parseError("")?.description == "1:1: unexpected end of input, expected a value")
        #expect(parseError("  \n ")?.position == JSONSourcePosition(line: 2, column: 2))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONParser.parse(#""\u00e9\ud83d\ude00\n\t\"\\\/\b\f\r\u0000""#)
        #expect(value == .string("é😀\n\t\"\\/\u{8}\u{c}\r\u{0}"))
    }

    @Test func refusesUnpairedSurrogates() {
        #expect(parseError(#""\ud83d""#)?.message == "unpaired surrogate \\uD83D in string")
        #expect(parseError(#""\ud83dx""#) != nil)
        #expect(parseError(#""\ud83d\u0041""#) != nil)
        #expect(parseError(#""\ude00""#)?.message == "unpaired surrogate \\uDE00 in string")
    }

    @Test func refusesBadEscapes() {
        #expect(parseError(#""\x""#)?.message == "invalid escape sequence \\x")
        #expect(parseError(#""\u12g4""#)?.message == "invalid \\u escape: expected 4 hexadecimal digits")
    }

    @Test func readsUTF8AndRefusesInvalidUTF8() throws {
        #expect(try JSONParser.parse("\"naïve – 日本 😀\"") == .string("naïve – 日本 😀"))
        func bytesError(_ bytes: [UInt8]) -> JSONParseError? {
            do { _ = try JSONParser.parse(bytes); return nil } catch { return error }
        }
        #expect(bytesError([0x22, 0xC3, 0x28, 0x22]) != nil)  // bad continuation
        #expect(bytesError([0x22, 0xC0, 0xAF, 0x22]) != nil)  // overlong
        #expect(bytesError([0x22, 0xED, 0xA0, 0x80, 0x22]) != nil)  // encoded surrogate
        #expect(bytesError([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]) != nil)  // above U+10FFFF
        #expect(bytesError([0x22, 0xE2, 0x82]) != nil)  // truncated
        #expect(bytesError([0xFF]) != nil)
    }

    @Test func refusesRawControlCharactersInStrings() {
        #expect(parseError("\"a\u{1}b\"")?.message == "control character U+0001 must be escaped in a string")
        #expect(parseError("\"a\tb\"") != nil)
        #expect(parseError("\"a\tb\"", options: .configurationFile) == nil)
    }

    @Test func limitsNesting() {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(parseError(ok) == nil)
        let deep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(parseError(deep)?.message == "nesting deeper than 512 levels")
        #expect(parseError("[[[1]]]", options: JSONParser.Options(maximumDepth: 2)) != nil)
    }

    @Test func parsesNumbersStrictly() throws {
        #expect(try JSONParser.parse("-0").numberValue?.integerValue == 0)
        #expect(try JSONParser.parse("1.5e3").numberValue?.doubleValue == 1500)
        #expect(try JSONParser.parse("1.5e3").numberValue?.literal == "1.5e3")
        let big = try #require(try JSONParser.parse("12345678901234567890").numberValue)
        #expect(big.literal == "12345678901234567890")
        #expect(big.integerValue == nil)
        #expect(parseError("01")?.message == "invalid number 01")
        #expect(parseError("1.")?.message == "invalid number 1.")
        #expect(parseError("-")?.message == "invalid number -")
        #expect(parseError(".5") != nil)
        #expect(parseError("+1") != nil)
        #expect(parseError("1e999")?.message == "number 1e999 is out of range")
        #expect(JSONNumber(literal: "1") == JSONNumber(literal: "1.0"))
    }

    @Test func readsLiteralsStrictly() {
        #expect(parseError("tru")?.message == "invalid literal, expected 'true'")
        #expect(parseError("nul") != nil)
        #expect(parseError("True") != nil)
    }

    @Test func relaxedModeAcceptsPerlRelaxedSyntax() throws {
        let text = """
            # leading comment
            {
                "a": [1, 2,], # trailing comma and comment
                "b": { "c": "#not a comment", },
            }
            """
        let value = try JSONParser.parse(Array(text.utf8), options: .configurationFile)
        #expect(value == ["a": [1, 2], "b": ["c": "#not a comment"]])
        #expect(parseError(text) != nil)
        #expect(parseError("[,]", options: .configurationFile) != nil)
        #expect(parseError("{,}", options: .configurationFile) != nil)
    }

    @Test func duplicateKeysKeepFirstPositionAndLastValue() throws {
        let document = try JSONParser.parseDocument(Array(#"{"a": 1, "b": 2, "a": 3}"#.utf8), options: .configurationFile)
        #expect(document.value.objectValue?.keys == ["a", "b"])
        #expect(document.value["a"] == 3)
        #expect(document.duplicateKeys == [JSONPath([.key("a")])])
    }

    @Test func recordsSourcePositions() throws {
        let text = "{\n  \"handlers\": {\n    \"SPF\": { \"hide_none\": 1 }\n  },\n  \"list\": [10, 20]\n}"
        let document = try JSONParser.parseDocument(Array(text.utf8), options: .configurationFile)
        let map = document.sourceMap
        #expect(map.keys[JSONPath([.key("handlers"), .key("SPF"), .key("hide_none")])] == JSONSourcePosition(line: 3, column: 14))
        #expect(map.values[JSONPath([.key("handlers"), .key("SPF"), .key("hide_none")])] == JSONSourcePosition(line: 3, column: 27))
        #expect(map.values[JSONPath([.key("list"), .index(1)])] == JSONSourcePosition(line: 5, column: 16))
        #expect(map.values[.root] == JSONSourcePosition(line: 1, column: 1))
    }

    @Test func skipsAByteOrderMark() throws {
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == .object(JSONObject()))
    }

    @Test func pathsPrintQuotedWhenNeeded() {
        let path = JSONPath([.key("ip_map"), .key("10.0.0.0/8"), .key("helo_map"), .key("mx"), .key("ip")])
        #expect(path.description == #"ip_map."10.0.0.0/8".helo_map.mx.ip"#)
        #expect(JSONPath([.key("dns_resolvers"), .index(1)]).description == "dns_resolvers[1]")
        #expect(JSONPath([.key("handlers"), .key("!SPF")]).description == "handlers.!SPF")
    }

    /// Every refusal carries its code; a caller matches the code, the
    /// message is for people.
    @Test(arguments: [
        ("", JSONParseError.Code.endOfInput),
        ("[1 2]", .unexpectedByte),
        ("1 2", .unexpectedByte),
        ("tru", .invalidLiteral),
        (String(repeating: "[", count: 600), .tooDeep),
        ("[1,]", .trailingComma),
        ("{\"a\":1,}", .trailingComma),
        ("-", .invalidNumber),
        ("1e999999", .numberOutOfRange),
        ("\"\\x\"", .invalidEscape),
        ("\"\\u12g4\"", .invalidEscape),
        ("\"abc", .unterminatedString),
        ("\"a\u{1}b\"", .controlCharacter),
        ("\"\\ud800\"", .unpairedSurrogate),
    ])
    func refusalsCarryTheirCode(text: String, code: JSONParseError.Code) {
        #expect(parseError(text)?.code == code, "\(text.prefix(20))")
    }

    @Test func invalidUTF8HasItsCode() {
        let error = #expect(throws: JSONParseError.self) { _ = try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(error?.code == .invalidUTF8)
    }
}

/// The error a throwing expression fails with, or nil.
func parseError(_ text: String, options: JSONParser.Options = .strict) -> JSONParseError? {
    do {
        _ = try JSONParser.parse(Array(text.utf8), options: options)
        return nil
    } catch {
        return error
    }
}
