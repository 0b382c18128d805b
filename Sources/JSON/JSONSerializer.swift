/// Writes `JSONValue`s: compact for the configuration handed to children,
/// pretty for people (`-h default_config`). Object keys keep their order
/// unless `sortKeys` asks for Perl's `canonical` byte order.
public enum JSONSerializer {
    public enum Style: Sendable, Equatable {
        case compact
        case pretty(indent: Int)
        /// What Perl's `JSON->new->pretty` writes: 3-space indent and a
        /// space on both sides of the colon (`"key" : value`).
        case perlPretty

        var indent: Int? {
            switch self {
            case .compact: return nil
            case .pretty(let indent): return indent
            case .perlPretty: return 3
            }
        }
    }

    public static func serialize(_ value: JSONValue, style: Style = .compact, sortKeys: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        write(value, style: style, sortKeys: sortKeys, level: 0, into: &out)
        return out
    }

    public static func string(_ value: JSONValue, style: Style = .compact, sortKeys: Bool = false) -> String {
        String(decoding: serialize(value, style: style, sortKeys: sortKeys), as: UTF8.self)
    }

    /// A JSON string literal for `text`, also used to quote names in messages.
    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        writeString(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the JSON string literal for `text` to `out`: for writers
    /// that build a fixed shape of JSON directly, without a `JSONValue`.
    public static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        writeString(text, into: &out)
    }

    private static func newline(_ style: Style, level: Int, into out: inout [UInt8]) {
        guard let indent = style.indent else { return }
        out.append(0x0A)
        out.append(contentsOf: repeatElement(0x20, count: indent * level))
    }

    private static func write(_ value: JSONValue, style: Style, sortKeys: Bool, level: Int, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: Array("null".utf8))
        case .bool(let b): out.append(contentsOf: Array((b ? "true" : "false").utf8))
        case .number(let n): out.append(contentsOf: Array(n.literal.utf8))
        case .string(let s): writeString(s, into: &out)
        case .array(let array):
            out.append(UInt8(ascii: "["))
            for (i, element) in array.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(style, level: level + 1, into: &out)
                write(element, style: style, sortKeys: sortKeys, level: level + 1, into: &out)
            }
            if !array.isEmpty { newline(style, level: level, into: &out) }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            // Sorted keys are walked in order; the object is not rebuilt.
            let keys = sortKeys ? object.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) : object.keys
            out.append(UInt8(ascii: "{"))
            for (i, key) in keys.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(style, level: level + 1, into: &out)
                writeString(key, into: &out)
                if style == .perlPretty { out.append(0x20) }
                out.append(UInt8(ascii: ":"))
                if style.indent != nil { out.append(0x20) }
                write(object[key]!, style: style, sortKeys: sortKeys, level: level + 1, into: &out)
            }
            if !object.isEmpty { newline(style, level: level, into: &out) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(0x22)
        // Runs of bytes that need no escape are copied whole.
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                writeEscaped(byte, into: &out)
                runStart = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        out.append(0x22)
    }

    private static func writeEscaped(_ byte: UInt8, into out: inout [UInt8]) {
        switch byte {
        case 0x22: out.append(contentsOf: [0x5C, 0x22])
        case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
        case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
        case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
        case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
        case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
        case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
        case 0x00..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
        default: out.append(byte)
        }
    }
}
