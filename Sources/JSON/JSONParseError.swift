/// Why a document is not JSON, and where: `line:column: message`.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var position: JSONSourcePosition
    /// Byte offset of the problem from the start of the input.
    public var offset: Int
    public var message: String

    public init(position: JSONSourcePosition, offset: Int, message: String) {
        self.position = position
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(position): \(message)" }
}
