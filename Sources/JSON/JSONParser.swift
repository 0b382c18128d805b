/// A parsed document with what the configuration loader needs besides the
/// value: where each key and value was, and which keys appeared twice.
public struct JSONDocument: Sendable {
    public var value: JSONValue
    public var sourceMap: JSONSourceMap
    /// Object members that repeated an earlier key (the last one wins).
    public var duplicateKeys: [JSONPath]
}

/// Our own JSON reader: small, strict by default, and precise about where
/// a document is wrong, which Foundation's decoder is not. It reads UTF-8,
/// refuses invalid UTF-8, unpaired `\u` surrogates, nesting beyond a limit
/// and anything after the value.
///
/// `relaxed` accepts what Perl's `JSON::XS->relaxed(1)` accepts, because the
/// Perl milter reads its configuration that way and operators' files use it:
/// a trailing comma before `]` or `}`, `#` comments to the end of a line
/// wherever whitespace may appear, and literal tabs inside strings.
public struct JSONParser {
    public struct Options: Sendable {
        public var relaxed: Bool
        public var maximumDepth: Int
        public var recordsSourceMap: Bool

        public init(relaxed: Bool = false, maximumDepth: Int = 512, recordsSourceMap: Bool = false) {
            self.relaxed = relaxed
            self.maximumDepth = maximumDepth
            self.recordsSourceMap = recordsSourceMap
        }

        /// For data we produced ourselves (configuration sent to children).
        public static let strict = Options()
        /// For configuration files, as the Perl milter reads them.
        public static let configurationFile = Options(relaxed: true, recordsSourceMap: true)
    }

    public static func parse(_ bytes: [UInt8], options: Options = .strict) throws(JSONParseError) -> JSONValue {
        try parseDocument(bytes, options: options).value
    }

    public static func parse(_ text: String, options: Options = .strict) throws(JSONParseError) -> JSONValue {
        try parseDocument(Array(text.utf8), options: options).value
    }

    public static func parseDocument(_ bytes: [UInt8], options: Options = .strict) throws(JSONParseError) -> JSONDocument {
        var reader = Reader(bytes: bytes, options: options)
        return try reader.document()
    }
}

private struct Reader {
    let bytes: [UInt8]
    let options: JSONParser.Options
    var index = 0
    var line = 1
    var column = 1
    var path: [JSONPath.Component] = []
    var sourceMap = JSONSourceMap()
    var duplicates: [JSONPath] = []

    init(bytes: [UInt8], options: JSONParser.Options) {
        self.bytes = bytes
        self.options = options
    }

    var position: JSONSourcePosition { JSONSourcePosition(line: line, column: column) }
    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func document() throws(JSONParseError) -> JSONDocument {
        // A UTF-8 byte order mark carries no meaning; editors on some
        // systems add one.
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { index = 3 }
        let value = try parseValue(depth: 0)
        try skipWhitespace()
        if let byte = peek {
            throw error(.unexpectedByte, "unexpected \(describe(byte)) after the JSON value")
        }
        return JSONDocument(value: value, sourceMap: sourceMap, duplicateKeys: duplicates)
    }

    mutating func advance() {
        let byte = bytes[index]
        index += 1
        if byte == 0x0A {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            // Continuation bytes belong to the character already counted.
            column += 1
        }
    }

    func error(_ code: JSONParseError.Code, _ message: String) -> JSONParseError {
        JSONParseError(code, position: position, offset: index, message: message)
    }

    func error(_ code: JSONParseError.Code, _ message: String, at position: JSONSourcePosition, offset: Int) -> JSONParseError {
        JSONParseError(code, position: position, offset: offset, message: message)
    }

    func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte <= 0x7E { return "'\(Character(Unicode.Scalar(byte)))'" }
        if byte == 0x20 { return "space" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    mutating func skipWhitespace() throws(JSONParseError) {
        while let byte = peek {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                advance()
            case UInt8(ascii: "#") where options.relaxed:
                while let c = peek, c != 0x0A { advance() }
            default:
                return
            }
        }
    }

    mutating func record() {
        if options.recordsSourceMap { sourceMap.values[JSONPath(path)] = position }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        try skipWhitespace()
        guard let byte = peek else { throw error(.endOfInput, "unexpected end of input, expected a value") }
        record()
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error(.unexpectedByte, "unexpected \(describe(byte)), expected a value")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let expected = word.withUTF8Buffer { Array($0) }
        let start = position
        let startIndex = index
        for byte in expected {
            guard peek == byte else {
                throw error(.invalidLiteral, "invalid literal, expected '\(word)'", at: start, offset: startIndex)
            }
            advance()
        }
    }

    mutating func checkDepth(_ depth: Int) throws(JSONParseError) {
        if depth > options.maximumDepth {
            throw error(.tooDeep, "nesting deeper than \(options.maximumDepth) levels")
        }
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        try checkDepth(depth)
        advance()  // {
        var object = JSONObject()
        try skipWhitespace()
        if peek == UInt8(ascii: "}") {
            advance()
            return .object(object)
        }
        while true {
            try skipWhitespace()
            guard let byte = peek else { throw error(.endOfInput, "unexpected end of input, expected a string key") }
            guard byte == UInt8(ascii: "\"") else {
                throw error(.unexpectedByte, "unexpected \(describe(byte)), expected a string key")
            }
            let keyPosition = position
            let key = try parseString()
            try skipWhitespace()
            guard peek == UInt8(ascii: ":") else {
                if let byte = peek { throw error(.unexpectedByte, "unexpected \(describe(byte)), expected ':' after object key") }
                throw error(.endOfInput, "unexpected end of input, expected ':' after object key")
            }
            advance()
            path.append(.key(key))
            if options.recordsSourceMap { sourceMap.keys[JSONPath(path)] = keyPosition }
            let value = try parseValue(depth: depth)
            if object.contains(key) { duplicates.append(JSONPath(path)) }
            path.removeLast()
            object[key] = value
            try skipWhitespace()
            guard let next = peek else { throw error(.endOfInput, "unexpected end of input, expected ',' or '}'") }
            if next == UInt8(ascii: "}") {
                advance()
                return .object(object)
            }
            guard next == UInt8(ascii: ",") else { throw error(.unexpectedByte, "unexpected \(describe(next)), expected ',' or '}'") }
            advance()
            try skipWhitespace()
            if peek == UInt8(ascii: "}") {
                guard options.relaxed else { throw error(.trailingComma, "trailing comma before '}'") }
                advance()
                return .object(object)
            }
        }
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        try checkDepth(depth)
        advance()  // [
        var array: [JSONValue] = []
        try skipWhitespace()
        if peek == UInt8(ascii: "]") {
            advance()
            return .array(array)
        }
        while true {
            path.append(.index(array.count))
            let value = try parseValue(depth: depth)
            path.removeLast()
            array.append(value)
            try skipWhitespace()
            guard let next = peek else { throw error(.endOfInput, "unexpected end of input, expected ',' or ']'") }
            if next == UInt8(ascii: "]") {
                advance()
                return .array(array)
            }
            guard next == UInt8(ascii: ",") else { throw error(.unexpectedByte, "unexpected \(describe(next)), expected ',' or ']'") }
            advance()
            try skipWhitespace()
            if peek == UInt8(ascii: "]") {
                guard options.relaxed else { throw error(.trailingComma, "trailing comma before ']'") }
                advance()
                return .array(array)
            }
        }
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONNumber {
        let start = position
        let startIndex = index
        while let byte = peek,
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
                || byte == UInt8(ascii: "E")
        {
            advance()
        }
        let text = String(decoding: bytes[startIndex..<index], as: UTF8.self)
        guard JSONNumber.isValidLiteral(Array(bytes[startIndex..<index])) else {
            throw error(.invalidNumber, "invalid number \(text)", at: start, offset: startIndex)
        }
        guard let number = JSONNumber(literal: text) else {
            throw error(.numberOutOfRange, "number \(text) is out of range", at: start, offset: startIndex)
        }
        return number
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek else { throw error(.endOfInput, "unexpected end of input in \\u escape") }
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error(.invalidEscape, "invalid \\u escape: expected 4 hexadecimal digits")
            }
            value = value << 4 | digit
            advance()
        }
        return value
    }

    mutating func parseString() throws(JSONParseError) -> String {
        let start = position
        let startIndex = index
        advance()  // "
        var out: [UInt8] = []
        while true {
            guard let byte = peek else {
                throw error(.unterminatedString, "unterminated string", at: start, offset: startIndex)
            }
            switch byte {
            case UInt8(ascii: "\""):
                advance()
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &out)
            case 0x09 where options.relaxed:
                out.append(byte)
                advance()
            case 0x00..<0x20:
                throw error(.controlCharacter, "control character U+\(hex(UInt32(byte))) must be escaped in a string")
            case 0x00..<0x80:
                out.append(byte)
                advance()
            default:
                try copyUTF8Sequence(into: &out)
            }
        }
    }

    func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    mutating func parseEscape(into out: inout [UInt8]) throws(JSONParseError) {
        advance()  // backslash
        guard let byte = peek else { throw error(.endOfInput, "unexpected end of input in escape sequence") }
        let simple: UInt8?
        switch byte {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): simple = nil
        default: throw error(.invalidEscape, "invalid escape sequence \\\(Character(Unicode.Scalar(byte)))")
        }
        if let simple {
            out.append(simple)
            advance()
            return
        }
        advance()  // u
        let escapeStart = position
        var scalar = try hex4()
        if scalar >= 0xD800 && scalar <= 0xDBFF {
            guard peek == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                throw error(.unpairedSurrogate, "unpaired surrogate \\u\(hex(scalar)) in string", at: escapeStart, offset: index)
            }
            advance()
            advance()
            let low = try hex4()
            guard low >= 0xDC00 && low <= 0xDFFF else {
                throw error(.unpairedSurrogate, "unpaired surrogate \\u\(hex(scalar)) in string", at: escapeStart, offset: index)
            }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
            throw error(.unpairedSurrogate, "unpaired surrogate \\u\(hex(scalar)) in string", at: escapeStart, offset: index)
        }
        out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
    }

    /// Copies one multi-byte UTF-8 character after checking it is well
    /// formed: no overlong forms, no surrogates, nothing above U+10FFFF.
    mutating func copyUTF8Sequence(into out: inout [UInt8]) throws(JSONParseError) {
        let lead = bytes[index]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: throw error(.invalidUTF8, "invalid UTF-8 byte 0x\(String(lead, radix: 16, uppercase: true))")
        }
        guard index + length <= bytes.count else { throw error(.invalidUTF8, "truncated UTF-8 sequence") }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            let range = offset == 1 ? secondRange : 0x80...0xBF
            guard range.contains(byte) else { throw error(.invalidUTF8, "invalid UTF-8 sequence") }
        }
        for _ in 0..<length {
            out.append(bytes[index])
            advance()
        }
    }
}
