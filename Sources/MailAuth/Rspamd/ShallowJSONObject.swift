#if canImport(Glibc)
import Glibc
#endif

/// The top-level members of a JSON object whose values are scalars
/// (strings, numbers, booleans, null), read from bytes a scanner sent.
/// Nested objects and arrays (rspamd's `symbols`, `milter`, `thresholds`)
/// are checked as JSON and skipped, never kept. MailAuth has no JSON
/// parser of its own (the configuration's lives with the configuration),
/// and a reply parser in the jailed scanner needs only these few values.
///
/// Strict: invalid JSON, nesting deeper than `maximumDepth`, or anything
/// after the object is an error. One pass, no recursion, no backtracking:
/// time linear in the input.
public struct ShallowJSONObject: Sendable, Equatable {
    public enum Scalar: Sendable, Equatable {
        case string(String)
        case number(Double)
        case bool(Bool)
        case null
    }

    public static let maximumDepth = 64

    /// Scalar members by name; a repeated name keeps its last value.
    public private(set) var members: [String: Scalar] = [:]

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        init(_ what: String, at offset: Int) { description = "\(what) at byte \(offset)" }
    }

    public init(parsing bytes: some Collection<UInt8>) throws(ParseError) {
        var reader = Reader(bytes: Array(bytes))
        reader.skipSpace()
        guard reader.peek() == UInt8(ascii: "{") else { throw ParseError("expected an object", at: reader.index) }
        reader.index += 1
        reader.skipSpace()
        if reader.peek() == UInt8(ascii: "}") {
            reader.index += 1
        } else {
            while true {
                reader.skipSpace()
                let name = try reader.string()
                reader.skipSpace()
                guard reader.peek() == UInt8(ascii: ":") else { throw ParseError("expected ':'", at: reader.index) }
                reader.index += 1
                reader.skipSpace()
                switch reader.peek() {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    try reader.skipContainer()
                default:
                    members[name] = try reader.scalar()
                }
                reader.skipSpace()
                guard let next = reader.peek() else { throw ParseError("unterminated object", at: reader.index) }
                reader.index += 1
                if next == UInt8(ascii: "}") { break }
                guard next == UInt8(ascii: ",") else { throw ParseError("expected ',' or '}'", at: reader.index - 1) }
            }
        }
        reader.skipSpace()
        guard reader.index == reader.bytes.count else { throw ParseError("trailing bytes", at: reader.index) }
    }

    public func string(_ name: String) -> String? {
        if case .string(let value)? = members[name] { return value }
        return nil
    }

    public func number(_ name: String) -> Double? {
        if case .number(let value)? = members[name] { return value }
        return nil
    }

    public func bool(_ name: String) -> Bool? {
        if case .bool(let value)? = members[name] { return value }
        return nil
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d { index += 1 }
        }

        mutating func scalar() throws(ParseError) -> Scalar {
            switch peek() {
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return .number(try number())
            }
        }

        mutating func literal(_ word: String) throws(ParseError) {
            let wanted = Array(word.utf8)
            guard bytes.count - index >= wanted.count, bytes[index..<index + wanted.count].elementsEqual(wanted) else {
                throw ParseError("expected \(word)", at: index)
            }
            index += wanted.count
        }

        /// RFC 8259's number grammar, read with strtod.
        mutating func number() throws(ParseError) -> Double {
            let start = index
            if peek() == UInt8(ascii: "-") { index += 1 }
            guard let first = peek(), isDigit(first) else { throw ParseError("expected a value", at: start) }
            index += 1
            if first != UInt8(ascii: "0") { while let d = peek(), isDigit(d) { index += 1 } }
            if peek() == UInt8(ascii: ".") {
                index += 1
                guard let d = peek(), isDigit(d) else { throw ParseError("expected a digit", at: index) }
                while let d = peek(), isDigit(d) { index += 1 }
            }
            if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                index += 1
                if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
                guard let d = peek(), isDigit(d) else { throw ParseError("expected a digit", at: index) }
                while let d = peek(), isDigit(d) { index += 1 }
            }
            guard index - start <= 64 else { throw ParseError("number too long", at: start) }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            return text.withCString { strtod($0, nil) }
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

        /// A string, its escapes decoded (a lone surrogate becomes U+FFFD).
        mutating func string() throws(ParseError) -> String {
            guard peek() == UInt8(ascii: "\"") else { throw ParseError("expected a string", at: index) }
            index += 1
            var out: [UInt8] = []
            while true {
                guard let byte = peek() else { throw ParseError("unterminated string", at: index) }
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = peek() else { throw ParseError("unterminated string", at: index) }
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0c)
                    case UInt8(ascii: "n"): out.append(0x0a)
                    case UInt8(ascii: "r"): out.append(0x0d)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        let unit = try hex4()
                        let scalar = Unicode.Scalar(unit) ?? "\u{FFFD}"
                        out.append(contentsOf: Array(String(Character(scalar)).utf8))
                    default:
                        throw ParseError("bad escape", at: index - 1)
                    }
                case 0..<0x20:
                    throw ParseError("control character in a string", at: index - 1)
                default:
                    out.append(byte)
                }
            }
        }

        mutating func hex4() throws(ParseError) -> UInt32 {
            guard bytes.count - index >= 4 else { throw ParseError("short \\u escape", at: index) }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case 0x30...0x39: digit = UInt32(byte - 0x30)
                case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
                case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
                default: throw ParseError("bad \\u escape", at: index)
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        /// An object or array and everything in it, checked and dropped;
        /// the nesting is counted, not recursed.
        mutating func skipContainer() throws(ParseError) {
            var closers: [UInt8] = []
            // What the reader expects next inside the innermost container.
            enum Expect { case valueOrClose, value, nameOrClose, name, separatorOrClose }
            var expect = Expect.value
            while true {
                skipSpace()
                guard let byte = peek() else { throw ParseError("unterminated container", at: index) }
                switch expect {
                case .value, .valueOrClose:
                    if expect == .valueOrClose, byte == closers.last {
                        index += 1
                        closers.removeLast()
                        if closers.isEmpty { return }
                        expect = .separatorOrClose
                    } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                        guard closers.count < ShallowJSONObject.maximumDepth else { throw ParseError("nested too deep", at: index) }
                        index += 1
                        closers.append(byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]"))
                        expect = byte == UInt8(ascii: "{") ? .nameOrClose : .valueOrClose
                    } else {
                        _ = try scalar()
                        expect = .separatorOrClose
                    }
                case .name, .nameOrClose:
                    if expect == .nameOrClose, byte == UInt8(ascii: "}") {
                        index += 1
                        closers.removeLast()
                        if closers.isEmpty { return }
                        expect = .separatorOrClose
                    } else {
                        _ = try string()
                        skipSpace()
                        guard peek() == UInt8(ascii: ":") else { throw ParseError("expected ':'", at: index) }
                        index += 1
                        expect = .value
                    }
                case .separatorOrClose:
                    index += 1
                    if byte == closers.last {
                        closers.removeLast()
                        if closers.isEmpty { return }
                    } else if byte == UInt8(ascii: ",") {
                        expect = closers.last == UInt8(ascii: "}") ? .name : .value
                    } else {
                        throw ParseError("expected ',' or a closing bracket", at: index - 1)
                    }
                }
            }
        }
    }
}
