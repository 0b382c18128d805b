/// Reads the instance number of an ARC header field (RFC 8617 section
/// 4.2.1): `i=` in the tag list of an ARC-Message-Signature or ARC-Seal,
/// the leading `i=N;` of an ARC-Authentication-Results.
///
/// `position = 1*2DIGIT` (RFC 8617 section 3.9): one or two digits and
/// nothing else, so `i=`, `i=a`, `i=1 2`, `i=123` are no instance at all.
/// The value itself may be 0 or above 50 here; whether it is in range is
/// the chain's business (`isValid`).
enum ARCInstance {
    /// Instances run from 1 to 50 (RFC 8617 section 4.2.1).
    static let range: ClosedRange<Int> = 1...50

    static func isValid(_ instance: Int) -> Bool { range.contains(instance) }

    /// A `position`: one or two ASCII digits.
    static func position(_ bytes: some Collection<UInt8>) -> Int? {
        guard (1...2).contains(bytes.count), bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// The `i=` tag of a signature field's tag list (the value without the
    /// whitespace around it).
    static func fromTags(_ tags: DKIMTagList) -> Int? {
        guard let value = tags["i"]?.value else { return nil }
        return position(value)
    }

    /// The instance an ARC-Authentication-Results value starts with:
    /// `[CFWS] "i" [CFWS] "=" [CFWS] position [CFWS] ";"`, and the offset
    /// of the authres-payload after the `;`. The tag name is
    /// case-sensitive (`%s"i"`).
    static func fromAuthenticationResults(_ value: [UInt8]) -> (instance: Int, payloadStart: Int)? {
        var index = skipCFWS(value, 0)
        guard index < value.count, value[index] == UInt8(ascii: "i") else { return nil }
        index = skipCFWS(value, index + 1)
        guard index < value.count, value[index] == UInt8(ascii: "=") else { return nil }
        index = skipCFWS(value, index + 1)
        let digitsStart = index
        while index < value.count, value[index] >= 0x30, value[index] <= 0x39 { index += 1 }
        guard let instance = position(value[digitsStart..<index]) else { return nil }
        index = skipCFWS(value, index)
        guard index < value.count, value[index] == UInt8(ascii: ";") else { return nil }
        return (instance, index + 1)
    }

    /// Skips folding whitespace and RFC 5322 comments (nested, with
    /// quoted pairs). An unclosed comment runs to the end.
    static func skipCFWS(_ value: [UInt8], _ start: Int) -> Int {
        var index = start
        while index < value.count {
            switch value[index] {
            case 0x20, 0x09, 0x0D, 0x0A:
                index += 1
            case UInt8(ascii: "("):
                var depth = 0
                while index < value.count {
                    let byte = value[index]
                    if byte == UInt8(ascii: "\\") {
                        index += 2
                        continue
                    }
                    if byte == UInt8(ascii: "(") { depth += 1 }
                    if byte == UInt8(ascii: ")") {
                        depth -= 1
                        if depth == 0 {
                            index += 1
                            break
                        }
                    }
                    index += 1
                }
            default:
                return index
            }
        }
        return min(index, value.count)
    }
}
