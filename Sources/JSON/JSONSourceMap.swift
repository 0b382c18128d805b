/// A 1-based line and column in a text file. Columns count Unicode scalars,
/// which is what editors show for UTF-8 text.
public struct JSONSourcePosition: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public var description: String { "\(line):\(column)" }
}

/// Positions of every value (and every object key) in a parsed document, so
/// a type error found later, while reading the configuration, can still say
/// `authentication_milter.json:12:5`.
public struct JSONSourceMap: Sendable {
    public var values: [JSONPath: JSONSourcePosition] = [:]
    public var keys: [JSONPath: JSONSourcePosition] = [:]

    public init() {}

    /// The key's position for an object member (that is where an operator
    /// looks), else the value's.
    public func position(of path: JSONPath) -> JSONSourcePosition? {
        keys[path] ?? values[path]
    }
}
