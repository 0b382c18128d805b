/// A value bound to or read from a statement: the report store needs
/// whole numbers and text, nothing else.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)

    public var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}

/// One open database connection. The report store writes its SQL once, in
/// the subset SQLite and PostgreSQL share (`ON CONFLICT ... DO NOTHING`,
/// `BIGINT`, `TEXT`); parameters are written `?` and a connection that
/// numbers them (`$1`) rewrites the text.
public protocol SQLConnection: AnyObject {
    /// Runs one statement; rows of a query come back as arrays of values in
    /// column order (integers as `.integer` when the column is an integer
    /// type, everything else as `.text`, NULL as `.null`).
    @discardableResult
    func execute(_ sql: String, _ parameters: [SQLValue]) throws(ReportError) -> [[SQLValue]]
}

extension SQLConnection {
    /// Runs `body` inside BEGIN/COMMIT; a throw rolls back.
    public func transaction<T>(_ body: () throws(ReportError) -> T) throws(ReportError) -> T {
        try execute("BEGIN", [])
        do {
            let value = try body()
            try execute("COMMIT", [])
            return value
        } catch {
            _ = try? execute("ROLLBACK", [])
            throw error
        }
    }
}
