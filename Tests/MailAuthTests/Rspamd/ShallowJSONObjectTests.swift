import MailAuth
import Testing

/// The reader of rspamd's reply object: top-level scalars kept, nested
/// values checked and skipped, bad JSON and deep nesting refused.
@Suite struct ShallowJSONObjectTests {
    @Test func scalarsAreKeptAndContainersSkipped() throws {
        let object = try ShallowJSONObject(parsing: Array(#" {"a":"x\"\u00e9\n","b":-1.5e2,"c":true,"d":null,"e":{"f":[1,{"g":[]},"]}"]},"h":[],"i":{}} "#.utf8))
        #expect(object.string("a") == "x\"é\n")
        #expect(object.number("b") == -150)
        #expect(object.bool("c") == true)
        #expect(object.members["d"] == .null)
        #expect(object.members["e"] == nil && object.members["h"] == nil && object.members["i"] == nil)
        #expect(object.members.count == 4)
        #expect(try ShallowJSONObject(parsing: Array("{}".utf8)).members.isEmpty)
    }

    @Test func badJSONIsRefused() {
        for bad in ["", "[]", "{", #"{"a"}"#, #"{"a":}"#, #"{"a":1,}"#, #"{"a":01}"#, #"{"a":1.}"#, #"{"a":tru}"#,
                    #"{"a":"\x"}"#, "{\"a\":\"\u{01}\"}", #"{"a":{"b":1,}}"#, #"{"a":[1 2]}"#, #"{"a":{1:2}}"#, #"{} x"#,
                    #"{"a":"\u12"}"#, #"{"a":[}"#] {
            #expect(throws: ShallowJSONObject.ParseError.self, "\(bad)") { _ = try ShallowJSONObject(parsing: Array(bad.utf8)) }
        }
    }

    @Test func nestingIsBounded() throws {
        let deep = #"{"a":"# + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "}"
        #expect(throws: Never.self) { _ = try ShallowJSONObject(parsing: Array(deep.utf8)) }
        let tooDeep = #"{"a":"# + String(repeating: "[", count: 65) + String(repeating: "]", count: 65) + "}"
        #expect(throws: ShallowJSONObject.ParseError.self) { _ = try ShallowJSONObject(parsing: Array(tooDeep.utf8)) }
        // A long flat reply is read in one pass.
        let wide = "{" + (0..<20000).map { "\"k\($0)\":[\($0)]" }.joined(separator: ",") + ",\"action\":\"reject\"}"
        #expect(try ShallowJSONObject(parsing: Array(wide.utf8)).string("action") == "reject")
    }
}
