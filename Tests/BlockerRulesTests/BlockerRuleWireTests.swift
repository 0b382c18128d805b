@testable import BlockerRules
import Testing

/// The rules as the master sends them to a worker.
@Suite struct BlockerRuleWireTests {
    @Test func aSetRoundTripsAndItsBytesAreExact() throws {
        let set = BlockerRuleSet([BlockerRule(id: "a", callback: "helo", value: "x", with: "5", percent: 100, until: -1)])
        let bytes = try BlockerRuleWire.encode(set)
        #expect(bytes == [1, 0, 0, 0, 1,
                          0, 0, 0, 1, 0x61, 0, 0, 0, 4] + Array("helo".utf8) + [0, 0, 0, 1, 0x78, 0, 0, 0, 1, 0x35,
                          0x40, 0x59, 0, 0, 0, 0, 0, 0,
                          0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
        #expect(try BlockerRuleWire.decode(bytes) == set)
        #expect(try BlockerRuleWire.decode(try BlockerRuleWire.encode(BlockerRuleSet())) == BlockerRuleSet())
    }

    @Test func brokenMessagesAreRefusedWithWhere() throws {
        let bytes = try BlockerRuleWire.encode(BlockerRuleSet([BlockerRule(id: "a", callback: "helo", value: "x", with: "5", percent: 1)]))
        #expect(throws: BlockerRulesError.malformedWire(offset: 28, reason: "cut short: 8 bytes wanted, 7 left")) {
            try BlockerRuleWire.decode(Array(bytes.dropLast(9)))
        }
        #expect(throws: BlockerRulesError.malformedWire(offset: 0, reason: "version 2, expected 1")) { try BlockerRuleWire.decode([2]) }
        #expect(throws: BlockerRulesError.malformedWire(offset: 1, reason: "10001 rules, more than 10000")) {
            try BlockerRuleWire.decode([1, 0, 0, 0x27, 0x11])
        }
        #expect(throws: BlockerRulesError.malformedWire(offset: 5, reason: "a field of 4294967295 bytes, more than 16384")) {
            try BlockerRuleWire.decode([1, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff])
        }
        #expect(throws: BlockerRulesError.malformedWire(offset: bytes.count, reason: "1 bytes after the last rule")) {
            try BlockerRuleWire.decode(bytes + [0])
        }
        #expect(throws: BlockerRulesError.malformedWire(offset: 9, reason: "a field that is not UTF-8")) {
            try BlockerRuleWire.decode([1, 0, 0, 0, 1, 0, 0, 0, 1, 0xff])
        }
    }

    @Test func aSetOverTheLimitsIsNotEncoded() {
        let long = String(repeating: "x", count: BlockerRuleWire.maximumFieldBytes + 1)
        #expect(throws: BlockerRulesError.fieldTooLong(id: "a", bytes: BlockerRuleWire.maximumFieldBytes + 1)) {
            try BlockerRuleWire.encode(BlockerRuleSet([BlockerRule(id: "a", callback: "helo", value: long, with: "5", percent: 1)]))
        }
        let many = (0...BlockerRuleWire.maximumRules).map { BlockerRule(id: "r\($0)", callback: "helo", value: "x", with: "5", percent: 1) }
        #expect(throws: BlockerRulesError.tooManyRules(BlockerRuleWire.maximumRules + 1)) {
            try BlockerRuleWire.encode(BlockerRuleSet(many))
        }
    }
}
