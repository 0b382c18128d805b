/// A strict parser for the part of TOML that Blocker rule files use:
/// comments, `[name]` tables, `key = value` lines, and string (basic and
/// literal), integer, float and boolean values. Everything else TOML has
/// (arrays, inline and nested tables, dotted keys, multi-line strings,
/// dates) is refused with its line and column rather than half-read, so a
/// rule file means one thing to the operator and to the milter.
///
/// Linear in the input: one pass over its Unicode scalars, no backtracking.
public enum TOMLParser {
    public static func parse(_ text: String) throws(BlockerRulesError) -> TOMLDocument {
        var parser = Cursor(Array(text.unicodeScalars))
        return try parser.document()
    }

    /// Bytes that must be UTF-8 (TOML's encoding); the first invalid byte
    /// is reported where it is.
    public static func parse(_ bytes: [UInt8]) throws(BlockerRulesError) -> TOMLDocument {
        var line = 1
        var column = 1
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(bytes.count)
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                scalars.append(scalar)
                if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
            case .emptyInput:
                break decoding
            case .error:
                throw BlockerRulesError.syntax(line: line, column: column, message: "not UTF-8")
            }
        }
        var parser = Cursor(scalars)
        return try parser.document()
    }

    struct Cursor {
        let input: [Unicode.Scalar]
        var index = 0
        var line = 1
        var lineStart = 0

        init(_ input: [Unicode.Scalar]) { self.input = input }

        var current: Unicode.Scalar? { index < input.count ? input[index] : nil }

        func peek(_ offset: Int) -> Unicode.Scalar? {
            index + offset < input.count ? input[index + offset] : nil
        }

        func error(_ message: String, at position: Int? = nil) -> BlockerRulesError {
            BlockerRulesError.syntax(line: line, column: (position ?? index) - lineStart + 1, message: message)
        }

        mutating func advance() { index += 1 }

        mutating func skipSpaces() {
            while let c = current, c == " " || c == "\t" { advance() }
        }

        mutating func document() throws(BlockerRulesError) -> TOMLDocument {
            var document = TOMLDocument()
            var tableIndex: Int? = nil
            var seenTables: Set<String> = []
            while current != nil {
                skipSpaces()
                guard let c = current else { break }
                if c == "#" || c == "\n" || c == "\r" {
                    try endOfLine()
                    continue
                }
                if c == "[" {
                    let start = index
                    advance()
                    if current == "[" { throw error("arrays of tables ([[...]]) are not supported in Blocker files") }
                    skipSpaces()
                    let name = try key()
                    skipSpaces()
                    if current == "." { throw error("dotted table names are not supported in Blocker files") }
                    guard current == "]" else { throw error("expected ']' after the table name") }
                    advance()
                    guard seenTables.insert(name).inserted else {
                        throw error("table [\(name)] is defined twice", at: start)
                    }
                    document.tables.append(TOMLDocument.Table(name: name))
                    tableIndex = document.tables.count - 1
                    skipSpaces()
                    try endOfLine()
                    continue
                }
                let keyStart = index
                let name = try key()
                skipSpaces()
                if current == "." { throw error("dotted keys are not supported in Blocker files") }
                guard current == "=" else { throw error("expected '=' after the key '\(name)'") }
                advance()
                skipSpaces()
                let value = try self.value()
                if let tableIndex {
                    guard document.tables[tableIndex][name] == nil else {
                        throw error("duplicate key '\(name)' in table [\(document.tables[tableIndex].name)]", at: keyStart)
                    }
                    document.tables[tableIndex].entries.append((name, value))
                } else {
                    guard document.topLevel[name] == nil else { throw error("duplicate key '\(name)'", at: keyStart) }
                    document.topLevel.entries.append((name, value))
                }
                skipSpaces()
                try endOfLine()
            }
            return document
        }

        /// A comment (if any) and the line break, or the end of the input.
        mutating func endOfLine() throws(BlockerRulesError) {
            if current == "#" {
                while let c = current, c != "\n" {
                    if c == "\r" && peek(1) == "\n" { break }
                    if Self.isForbiddenControl(c) { throw error("control character U+\(Self.hex(c)) in a comment") }
                    advance()
                }
            }
            guard let c = current else { return }
            if c == "\r" {
                guard peek(1) == "\n" else { throw error("carriage return without a line feed") }
                advance()
            }
            guard current == "\n" else { throw error("expected the end of the line, found '\(Self.printable(c))'") }
            advance()
            line += 1
            lineStart = index
        }

        /// A bare key (A-Z a-z 0-9 _ -) or a quoted one.
        mutating func key() throws(BlockerRulesError) -> String {
            guard let c = current else { throw error("expected a key, found the end of the file") }
            if c == "\"" { return try basicString() }
            if c == "'" { return try literalString() }
            var name = ""
            while let c = current, Self.isBareKeyCharacter(c) {
                name.unicodeScalars.append(c)
                advance()
            }
            guard !name.isEmpty else { throw error("expected a key, found '\(Self.printable(c))'") }
            return name
        }

        mutating func value() throws(BlockerRulesError) -> TOMLValue {
            guard let c = current else { throw error("expected a value, found the end of the file") }
            switch c {
            case "\"":
                if peek(1) == "\"" && peek(2) == "\"" { throw error("multi-line strings are not supported in Blocker files") }
                return .string(try basicString())
            case "'":
                if peek(1) == "'" && peek(2) == "'" { throw error("multi-line strings are not supported in Blocker files") }
                return .string(try literalString())
            case "[": throw error("arrays are not supported in Blocker files")
            case "{": throw error("inline tables are not supported in Blocker files")
            case "t", "f": return .boolean(try boolean())
            case "+", "-", "0"..."9": return try number()
            default: throw error("expected a value, found '\(Self.printable(c))'")
            }
        }

        mutating func boolean() throws(BlockerRulesError) -> Bool {
            let start = index
            var word = ""
            while let c = current, c.properties.isAlphabetic { word.unicodeScalars.append(c); advance() }
            switch word {
            case "true": return true
            case "false": return false
            default: throw error("expected a value, found '\(word)'", at: start)
            }
        }

        /// Decimal integers and floats with TOML's rules: `_` only between
        /// digits, no leading zero, a fraction or exponent needs digits.
        mutating func number() throws(BlockerRulesError) -> TOMLValue {
            let start = index
            var literal = ""
            if let sign = current, sign == "+" || sign == "-" {
                literal.unicodeScalars.append(sign)
                advance()
            }
            let integerDigits = try digits(into: &literal)
            guard !integerDigits.isEmpty else { throw error("expected digits", at: start) }
            if integerDigits.count > 1 && integerDigits.first == "0" {
                if let second = integerDigits.dropFirst().first, second == "x" || second == "o" || second == "b" {
                    throw error("hexadecimal, octal and binary numbers are not supported in Blocker files", at: start)
                }
                throw error("a number may not start with 0", at: start)
            }
            if current == "x" || current == "o" || current == "b" {
                throw error("hexadecimal, octal and binary numbers are not supported in Blocker files", at: start)
            }
            var isFloat = false
            if current == "." {
                isFloat = true
                literal.append(".")
                advance()
                guard try !digits(into: &literal).isEmpty else { throw error("expected digits after the decimal point") }
            }
            if current == "e" || current == "E" {
                isFloat = true
                literal.append("e")
                advance()
                if let sign = current, sign == "+" || sign == "-" { literal.unicodeScalars.append(sign); advance() }
                guard try !digits(into: &literal).isEmpty else { throw error("expected digits in the exponent") }
            }
            if current == ":" || current == "-" || current == "T" {
                throw error("dates and times are not supported in Blocker files", at: start)
            }
            if isFloat {
                guard let value = Double(literal), value.isFinite else { throw error("number out of range", at: start) }
                return .float(value)
            }
            guard let value = Int64(literal) else { throw error("integer out of range", at: start) }
            return .integer(value)
        }

        /// Digits with single underscores between them; returns the digits.
        mutating func digits(into literal: inout String) throws(BlockerRulesError) -> String {
            var found = ""
            while let c = current {
                if c >= "0" && c <= "9" {
                    found.unicodeScalars.append(c)
                    advance()
                } else if c == "_" {
                    guard !found.isEmpty, let next = peek(1), next >= "0" && next <= "9" else {
                        throw error("'_' must stand between digits")
                    }
                    advance()
                } else if (c == "x" || c == "o" || c == "b") && found == "0" {
                    found.unicodeScalars.append(c)
                    return found
                } else {
                    break
                }
            }
            literal += found
            return found
        }

        mutating func basicString() throws(BlockerRulesError) -> String {
            let start = index
            advance()
            var text = ""
            while true {
                guard let c = current else { throw error("string not closed", at: start) }
                if c == "\"" { advance(); return text }
                if c == "\n" || c == "\r" { throw error("string not closed before the end of the line", at: start) }
                if Self.isForbiddenControl(c) { throw error("control character U+\(Self.hex(c)) in a string; write it as an escape") }
                if c == "\\" {
                    let escapeStart = index
                    advance()
                    guard let e = current else { throw error("string not closed", at: start) }
                    advance()
                    switch e {
                    case "b": text.unicodeScalars.append("\u{8}")
                    case "t": text.unicodeScalars.append("\t")
                    case "n": text.unicodeScalars.append("\n")
                    case "f": text.unicodeScalars.append("\u{C}")
                    case "r": text.unicodeScalars.append("\r")
                    case "\"": text.unicodeScalars.append("\"")
                    case "\\": text.unicodeScalars.append("\\")
                    case "u", "U":
                        let count = e == "u" ? 4 : 8
                        var code: UInt32 = 0
                        for _ in 0..<count {
                            guard let h = current, let digit = Self.hexValue(h) else {
                                throw error("\\\(e) needs \(count) hexadecimal digits", at: escapeStart)
                            }
                            code = code << 4 | digit
                            advance()
                        }
                        guard let scalar = Unicode.Scalar(code) else {
                            throw error("\\\(e)\(String(code, radix: 16, uppercase: true)) is not a Unicode scalar value", at: escapeStart)
                        }
                        text.unicodeScalars.append(scalar)
                    default:
                        // Perl regexes in `value` are full of backslashes:
                        // TOML wants them doubled (or a literal string).
                        throw error("unknown escape '\\\(Self.printable(e))' (write '\\\\' for a backslash, or use a 'literal string')", at: escapeStart)
                    }
                    continue
                }
                text.unicodeScalars.append(c)
                advance()
            }
        }

        mutating func literalString() throws(BlockerRulesError) -> String {
            let start = index
            advance()
            var text = ""
            while true {
                guard let c = current else { throw error("string not closed", at: start) }
                if c == "'" { advance(); return text }
                if c == "\n" || c == "\r" { throw error("string not closed before the end of the line", at: start) }
                if Self.isForbiddenControl(c) { throw error("control character U+\(Self.hex(c)) in a string") }
                text.unicodeScalars.append(c)
                advance()
            }
        }

        static func isBareKeyCharacter(_ c: Unicode.Scalar) -> Bool {
            (c >= "A" && c <= "Z") || (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "_" || c == "-"
        }

        /// TOML allows a tab but no other control character in strings and
        /// comments.
        static func isForbiddenControl(_ c: Unicode.Scalar) -> Bool {
            (c.value < 0x20 && c != "\t") || c.value == 0x7F
        }

        static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
            switch c {
            case "0"..."9": return c.value - 0x30
            case "a"..."f": return c.value - 0x61 + 10
            case "A"..."F": return c.value - 0x41 + 10
            default: return nil
            }
        }

        static func hex(_ c: Unicode.Scalar) -> String {
            let digits = String(c.value, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }

        static func printable(_ c: Unicode.Scalar) -> String {
            c.value < 0x20 || c.value == 0x7F ? "U+\(hex(c))" : String(c)
        }
    }
}
