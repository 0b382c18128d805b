/// The one error of the JSON module: why a document is not JSON, and
/// where: `line:column: message`. `code` is what a program or a test
/// matches; `message` is the reason in words.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// The input ended where more was needed.
        case endOfInput = "end-of-input"
        /// A byte that cannot come here (the message says what could).
        case unexpectedByte = "unexpected-byte"
        case invalidLiteral = "invalid-literal"
        case tooDeep = "too-deep"
        /// A comma before `}` or `]` (strict mode; Perl's relaxed reader takes it).
        case trailingComma = "trailing-comma"
        case invalidNumber = "invalid-number"
        case numberOutOfRange = "number-out-of-range"
        case invalidEscape = "invalid-escape"
        case unterminatedString = "unterminated-string"
        /// A control character not escaped inside a string.
        case controlCharacter = "control-character"
        case unpairedSurrogate = "unpaired-surrogate"
        case invalidUTF8 = "invalid-utf8"
    }

    public var code: Code
    public var position: JSONSourcePosition
    /// Byte offset of the problem from the start of the input.
    public var offset: Int
    public var message: String

    public init(_ code: Code, position: JSONSourcePosition, offset: Int, message: String) {
        self.code = code
        self.position = position
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(position): \(message)" }
}
