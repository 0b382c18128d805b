/// Why a Blocker rule file is not TOML this parser takes: the 1-based line
/// and column (in Unicode scalars) where it went wrong, and what was wrong.
public struct TOMLParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}
