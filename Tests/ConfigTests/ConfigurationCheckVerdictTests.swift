import IPC
import JSON
import Testing

/// The configuration-check child's one message, and the key paths it
/// carries back to the master (which re-anchors them in its files).
@Suite struct ConfigurationCheckVerdictTests {
    @Test(arguments: [
        ConfigurationCheckVerdict.accepted,
        .refused(text: "handler 'X' is not installed", keyPath: nil, message: nil),
        .refused(text: "t", keyPath: "handlers.DKIMSign.sign[0].key_file", message: "cannot read the key"),
    ])
    func roundTrips(verdict: ConfigurationCheckVerdict) {
        #expect(ConfigurationCheckVerdict(encoded: verdict.encoded) == verdict)
    }

    @Test func garbageIsNoVerdict() {
        #expect(ConfigurationCheckVerdict(encoded: []) == nil)
        #expect(ConfigurationCheckVerdict(encoded: [0, 0]) == nil)
        #expect(ConfigurationCheckVerdict(encoded: [1] + Array("not json".utf8)) == nil)
        #expect(ConfigurationCheckVerdict(encoded: [2]) == nil)
    }

    @Test func aHugeReasonStaysInsideTheFrame() {
        let verdict = ConfigurationCheckVerdict.refused(text: String(repeating: "x", count: 200_000), keyPath: String(repeating: "k", count: 100_000),
                                                        message: String(repeating: "m", count: 200_000))
        #expect(verdict.encoded.count <= ConfigurationCheckToMaster.verdict.maximumPayload)
    }

    @Test(arguments: [
        JSONPath([.key("handlers"), .key("DKIMSign"), .key("sign"), .index(0), .key("key_file")]),
        JSONPath([.key("ip_map"), .key("10.0.0.0/8"), .key("helo_map"), .key("a \"b\".c")]),
        JSONPath([.key("dns_resolvers"), .index(12)]),
        JSONPath.root,
    ])
    func pathsParseBackFromTheirText(path: JSONPath) {
        #expect(JSONPath(parsing: path.description) == path)
    }

    @Test func aContinuationParsesWithItsLeadingDot() {
        #expect(JSONPath(parsing: ".sign[0].key_file") == JSONPath([.key("sign"), .index(0), .key("key_file")]))
        #expect(JSONPath(parsing: "[x]") == nil)
        #expect(JSONPath(parsing: "\"unterminated") == nil)
    }
}
