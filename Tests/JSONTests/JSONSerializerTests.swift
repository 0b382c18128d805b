import Testing

@testable import JSON

@Suite struct JSONSerializerTests {
    let sample: JSONValue = ["b": [1, "two", nil, true], "a": ["nested": [:]], "e": []]

    @Test func compactKeepsOrder() {
        #expect(JSONSerializer.string(sample) == #"{"b":[1,"two",null,true],"a":{"nested":{}},"e":[]}"#)
    }

    @Test func prettyWithTwoAndFourSpaces() {
        #expect(JSONSerializer.string(["a": [1, 2], "b": [:]], style: .pretty(indent: 2)) == """
            {
              "a": [
                1,
                2
              ],
              "b": {}
            }
            """)
        #expect(JSONSerializer.string(["k": "v"], style: .pretty(indent: 4)) == "{\n    \"k\": \"v\"\n}")
    }

    @Test func sortsKeysOnRequest() {
        #expect(JSONSerializer.string(["b": 1, "a": ["d": 1, "c": 2]], sortKeys: true) == #"{"a":{"c":2,"d":1},"b":1}"#)
    }

    @Test func escapesStrings() {
        #expect(JSONSerializer.quoted("a\"b\\c\n\t\u{1}\u{7f}é/") == "\"a\\\"b\\\\c\\n\\t\\u0001\u{7f}é/\"")
    }

    @Test func roundTripsThroughTheParser() throws {
        let value: JSONValue = ["s": "é😀\u{0}\"\\", "n": [0, -1, 1.5, 1e-7, 12345678901234567890.0], "o": ["x": nil]]
        for style in [JSONSerializer.Style.compact, .pretty(indent: 2), .pretty(indent: 4)] {
            #expect(try JSONParser.parse(JSONSerializer.serialize(value, style: style)) == value)
        }
    }

    @Test func keepsNumberLiteralsAsWritten() throws {
        let value = try JSONParser.parse("[1.50, 1e3, 12345678901234567890]")
        #expect(JSONSerializer.string(value) == "[1.50,1e3,12345678901234567890]")
    }

    @Test func writesSwiftNumbersAsJSON() {
        #expect(JSONNumber(5.0).literal == "5")
        #expect(JSONNumber(0.25).literal == "0.25")
        #expect(JSONNumber(Double.infinity).literal == "0")
        #expect(JSONNumber.isValidLiteral(Array(JSONNumber(1e300).literal.utf8)))
        #expect(JSONNumber.isValidLiteral(Array(JSONNumber(1.5e-7).literal.utf8)))
    }
}
