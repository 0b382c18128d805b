/// A rule set as the master sends it to a worker (`MasterToWorker`
/// `.blockerRules`): the worker cannot open the files, so the master reads
/// and parses them and sends the typed rules. Big-endian:
///
///     version (1 byte, 1)  count (u32)
///     per rule: id, callback, value, with (each u32 length + UTF-8),
///               percent (u64, IEEE 754 bits), until (i64)
///
/// Decoding is checked field by field against the limits below: the
/// worker takes nothing larger, and never more rules than the count.
public enum BlockerRuleWire {
    public static let version: UInt8 = 1
    /// The most rules one set may hold.
    public static let maximumRules = 10_000
    /// The longest id, callback, value or `with` text, in bytes.
    public static let maximumFieldBytes = 16 * 1024
    /// The largest encoded set (MasterToWorker's limit for the message).
    public static let maximumBytes = 4 << 20

    public static func encode(_ set: BlockerRuleSet) throws(BlockerRulesError) -> [UInt8] {
        guard set.rules.count <= maximumRules else { throw .tooManyRules(set.rules.count) }
        var out: [UInt8] = [version]
        append(UInt32(set.rules.count), to: &out)
        for rule in set.rules {
            for field in [rule.id, rule.callback, rule.value, rule.with] {
                let bytes = Array(field.utf8)
                guard bytes.count <= maximumFieldBytes else { throw .fieldTooLong(id: rule.id, bytes: bytes.count) }
                append(UInt32(bytes.count), to: &out)
                out += bytes
            }
            append(rule.percent.bitPattern, to: &out)
            append(UInt64(bitPattern: rule.until), to: &out)
        }
        guard out.count <= maximumBytes else { throw .tooLarge(out.count) }
        return out
    }

    public static func decode(_ bytes: [UInt8]) throws(BlockerRulesError) -> BlockerRuleSet {
        guard bytes.count <= maximumBytes else { throw BlockerRulesError.malformedWire(offset: 0, reason: "\(bytes.count) bytes, more than \(maximumBytes)") }
        var reader = Reader(bytes: bytes)
        let found = try reader.byte()
        guard found == version else { throw BlockerRulesError.malformedWire(offset: 0, reason: "version \(found), expected \(version)") }
        let count = Int(try reader.u32())
        guard count <= maximumRules else { throw BlockerRulesError.malformedWire(offset: 1, reason: "\(count) rules, more than \(maximumRules)") }
        var rules: [BlockerRule] = []
        rules.reserveCapacity(min(count, bytes.count / 32))
        for _ in 0..<count {
            let id = try reader.text()
            let callback = try reader.text()
            let value = try reader.text()
            let with = try reader.text()
            let percent = Double(bitPattern: try reader.u64())
            let until = Int64(bitPattern: try reader.u64())
            rules.append(BlockerRule(id: id, callback: callback, value: value, with: with, percent: percent, until: until))
        }
        guard reader.offset == bytes.count else { throw BlockerRulesError.malformedWire(offset: reader.offset, reason: "\(bytes.count - reader.offset) bytes after the last rule") }
        let set = BlockerRuleSet(rules)
        guard set.rules.count == rules.count else { throw BlockerRulesError.malformedWire(offset: 0, reason: "the same rule id twice") }
        return set
    }

    static func append(_ value: UInt32, to out: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    static func append(_ value: UInt64, to out: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func take(_ count: Int) throws(BlockerRulesError) -> ArraySlice<UInt8> {
            guard count <= bytes.count - offset else { throw BlockerRulesError.malformedWire(offset: offset, reason: "cut short: \(count) bytes wanted, \(bytes.count - offset) left") }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        mutating func byte() throws(BlockerRulesError) -> UInt8 { try take(1).first! }

        mutating func u32() throws(BlockerRulesError) -> UInt32 {
            try take(4).reduce(0) { $0 << 8 | UInt32($1) }
        }

        mutating func u64() throws(BlockerRulesError) -> UInt64 {
            try take(8).reduce(0) { $0 << 8 | UInt64($1) }
        }

        mutating func text() throws(BlockerRulesError) -> String {
            let start = offset
            let length = Int(try u32())
            guard length <= BlockerRuleWire.maximumFieldBytes else {
                throw BlockerRulesError.malformedWire(offset: start, reason: "a field of \(length) bytes, more than \(BlockerRuleWire.maximumFieldBytes)")
            }
            let raw = try take(length)
            guard let text = String(validating: raw, as: UTF8.self) else { throw BlockerRulesError.malformedWire(offset: start + 4, reason: "a field that is not UTF-8") }
            return text
        }
    }
}
