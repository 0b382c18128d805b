import CSQLite

/// A SQLite database file (the default report store, under `lib_dir`).
/// Opened in WAL journal mode with a busy timeout, so the report commands
/// can read while the spool writes.
public final class SQLiteConnection: SQLConnection {
    private var handle: OpaquePointer?
    public let path: String

    /// How a file is opened: the spool creates the store; the report
    /// commands never do (a file created by root's cron would lock the
    /// spool, which runs as `runas`, out of it); the view command only
    /// reads.
    public enum Mode: Sendable {
        case create, readWrite, readOnly
    }

    public init(path: String, mode: Mode = .create) throws(ReportError) {
        self.path = path
        var db: OpaquePointer?
        var flags = SQLITE_OPEN_NOMUTEX
        switch mode {
        case .create: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        }
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
            sqlite3_close(db)
            throw ReportError(.database, "cannot open SQLite database \(path): \(message)")
        }
        handle = db
        sqlite3_busy_timeout(db, 10_000)
        guard mode != .readOnly else { return }
        try execute("PRAGMA journal_mode=WAL", [])
        // FULL: a commit is on disk when it returns. The spool empties its
        // journal right after a commit, so with NORMAL a power loss could
        // take the rows from both places.
        try execute("PRAGMA synchronous=FULL", [])
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue]) throws(ReportError) -> [[SQLValue]] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw ReportError(.database, "SQLite: \(errorMessage) in: \(sql)")
        }
        defer { sqlite3_finalize(statement) }
        for (offset, parameter) in parameters.enumerated() {
            let index = Int32(offset + 1)
            switch parameter {
            case .null: sqlite3_bind_null(statement, index)
            case .integer(let value): sqlite3_bind_int64(statement, index, value)
            case .text(let value):
                value.withCString { am_sqlite3_bind_text_copy(statement, index, $0, Int32(value.utf8.count)) }
            }
        }
        var rows: [[SQLValue]] = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw ReportError(.database, "SQLite: \(errorMessage) in: \(sql)") }
            var row: [SQLValue] = []
            for column in 0..<sqlite3_column_count(statement) {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_NULL: row.append(.null)
                case SQLITE_INTEGER: row.append(.integer(sqlite3_column_int64(statement, column)))
                default:
                    if let text = sqlite3_column_text(statement, column) {
                        // By length, not up to the first NUL: text is kept whole.
                        let count = Int(sqlite3_column_bytes(statement, column))
                        row.append(.text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)))
                    } else {
                        row.append(.null)
                    }
                }
            }
            rows.append(row)
        }
        return rows
    }

    private var errorMessage: String {
        handle.map { String(cString: sqlite3_errmsg($0)) } ?? "no database"
    }
}
