import CPostgres
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL database reached through libpq (the report store when the
/// configuration names a `dbi:Pg:` DSN).
///
/// Statements are sent with `PQexecParams`, parameters in text format and
/// typed as the same value written as a literal would be: an integer is an
/// `integer` when it fits 32 bits and a `bigint` otherwise (so `SELECT ?`
/// reads back an integer and `f(?)` finds a function taking `integer`), text
/// and NULL are left for the server to type from the context, like a quoted
/// literal.
///
/// Result columns of type `smallint`, `integer` and `bigint` come back as
/// `.integer`; every other type comes back as its text form, so an aggregate
/// that PostgreSQL widens to `numeric` (`SUM(bigint)`) needs
/// `CAST(... AS BIGINT)` to read as an integer, as it would in SQLite.
///
/// Not safe to share between threads: one connection per task, like
/// `SQLiteConnection`.
public final class PostgreSQLConnection: SQLConnection {
    private let handle: OpaquePointer

    /// Seconds libpq waits for the server when the caller set no
    /// `connect_timeout`: without one a blackholed host hangs the spool for
    /// the kernel's TCP timeout (minutes).
    public static let defaultConnectTimeout = 10

    /// Opens a connection. `conninfo` is what libpq accepts: a keyword string
    /// (`host=/run/postgresql dbname=dmarc user=milter`) or a URI
    /// (`postgresql://milter@db.example:5432/dmarc`). The client encoding is
    /// always UTF-8, because Swift strings are.
    ///
    /// - Throws: `ReportError` with libpq's own message when the string is
    ///   malformed or the server cannot be reached or refuses the login.
    public init(conninfo: String) throws(ReportError) {
        // PQconnectdbParams with expand_dbname: the caller's string goes in
        // as `dbname` and is expanded in place, whichever form it has. Keys
        // are applied in order and the last one wins, so the default timeout
        // placed before it gives way to one the caller wrote, and the
        // encoding placed after it always holds.
        var keywords: [String] = []
        var values: [String] = []
        if getenv("PGCONNECT_TIMEOUT") == nil {
            keywords.append("connect_timeout")
            values.append(String(Self.defaultConnectTimeout))
        }
        // A long-running spool must never wait forever on a lost server or
        // a lock: TCP keepalives and a user timeout notice a dead peer, and
        // a statement timeout bounds any one statement (30 s; a row insert
        // takes milliseconds). Placed before the caller's string, so a
        // deployment may override them.
        keywords += ["keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout", "options"]
        values += ["1", "30", "10", "3", "60000", "-c statement_timeout=30000"]
        keywords += ["dbname", "client_encoding"]
        values += [conninfo, "UTF8"]
        if conninfo.utf8.contains(0) {
            throw ReportError(.database, "cannot connect to PostgreSQL: the connection string contains a NUL character")
        }

        let connection = Self.withCStringArray(keywords) { keywordPointers in
            Self.withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw ReportError(.database, "cannot connect to PostgreSQL: out of memory")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            // The conninfo is left out of the message: it may hold a password.
            let message = Self.trimmed(PQerrorMessage(connection))
            PQfinish(connection)
            throw ReportError(.database, "cannot connect to PostgreSQL: \(message)")
        }
        handle = connection
        // libpq prints server notices (`relation ... already exists, skipping`
        // from CREATE TABLE IF NOT EXISTS) to stderr by default; the store
        // expects them and the daemon's stderr is not a log.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
    }

    deinit {
        PQfinish(handle)
    }

    /// Runs one statement. `?` placeholders are numbered `$1`, `$2`, ... first
    /// (see `numberingPlaceholders(in:)`); only one statement per call.
    ///
    /// A connection found broken (the server restarted, or the session was
    /// terminated) is reset once. A statement that failed because the
    /// connection dropped is sent again on the new connection only when no
    /// transaction was open: inside a transaction the server already rolled
    /// it back, so replaying the statement alone would commit half of it.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue]) throws(ReportError) -> [[SQLValue]] {
        if PQstatus(handle) != CONNECTION_OK {
            PQreset(handle)
            guard PQstatus(handle) == CONNECTION_OK else {
                throw ReportError(.database, "PostgreSQL: connection lost and reconnecting failed: \(Self.trimmed(PQerrorMessage(handle)))")
            }
        }
        let wasIdle = PQtransactionStatus(handle) == PQTRANS_IDLE
        let numbered = Self.numberingPlaceholders(in: sql)
        do {
            return try run(numbered, parameters, originalSQL: sql)
        } catch {
            guard wasIdle, PQstatus(handle) != CONNECTION_OK else { throw error }
            PQreset(handle)
            guard PQstatus(handle) == CONNECTION_OK else { throw error }
            return try run(numbered, parameters, originalSQL: sql)
        }
    }

    private func run(_ sql: String, _ parameters: [SQLValue], originalSQL: String) throws(ReportError) -> [[SQLValue]] {
        // libpq takes C strings: a NUL would silently cut the statement or a
        // value short, and PostgreSQL's text type cannot hold one anyway.
        if sql.utf8.contains(0) {
            throw ReportError(.database, "PostgreSQL: the statement contains a NUL character in: \(originalSQL)")
        }
        var types: [Oid] = []
        var texts: [String?] = []
        for parameter in parameters {
            switch parameter {
            case .null:
                types.append(0)
                texts.append(nil)
            case .integer(let value):
                types.append(Int32(exactly: value) == nil ? Self.int8OID : Self.int4OID)
                texts.append(String(value))
            case .text(let value):
                if value.utf8.contains(0) {
                    throw ReportError(.database, "PostgreSQL: text cannot contain a NUL character in: \(originalSQL)")
                }
                types.append(0)
                texts.append(value)
            }
        }
        guard let count = Int32(exactly: parameters.count) else {
            throw ReportError(.database, "PostgreSQL: too many parameters in: \(originalSQL)")
        }

        let result = Self.withOptionalCStringArray(texts) { valuePointers in
            types.withUnsafeBufferPointer { typePointers in
                PQexecParams(handle, sql, count, typePointers.baseAddress, valuePointers, nil, nil, 0)
            }
        }
        guard let result else {
            throw ReportError(.database, "PostgreSQL: \(Self.trimmed(PQerrorMessage(handle))) in: \(originalSQL)")
        }
        defer { PQclear(result) }

        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return []
        case PGRES_TUPLES_OK:
            return Self.rows(of: result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            throw ReportError(.database, "PostgreSQL: COPY is not supported in: \(originalSQL)")
        default:
            var message = Self.trimmed(PQresultErrorMessage(result))
            if message.isEmpty { message = Self.trimmed(PQerrorMessage(handle)) }
            throw ReportError(.database, "PostgreSQL: \(message) in: \(originalSQL)")
        }
    }

    /// Integer column types read back as `.integer`: int8, int2, int4.
    private static let int8OID: Oid = 20
    private static let int4OID: Oid = 23
    private static let integerOIDs: Set<Oid> = [20, 21, 23]

    private static func rows(of result: OpaquePointer) -> [[SQLValue]] {
        let rowCount = PQntuples(result)
        let columnCount = PQnfields(result)
        let integerColumns = (0..<columnCount).map { integerOIDs.contains(PQftype(result, $0)) }
        var rows: [[SQLValue]] = []
        rows.reserveCapacity(Int(rowCount))
        for row in 0..<rowCount {
            var values: [SQLValue] = []
            values.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount {
                if PQgetisnull(result, row, column) != 0 {
                    values.append(.null)
                    continue
                }
                let length = Int(PQgetlength(result, row, column))
                let text: String
                if let bytes = PQgetvalue(result, row, column) {
                    text = bytes.withMemoryRebound(to: UInt8.self, capacity: length) {
                        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                    }
                } else {
                    text = ""
                }
                // The server's text form of an integer always parses; the
                // fallback to text only guards against the impossible.
                if integerColumns[Int(column)], let integer = Int64(text) {
                    values.append(.integer(integer))
                } else {
                    values.append(.text(text))
                }
            }
            rows.append(values)
        }
        return rows
    }

    /// Rewrites `?` placeholders as PostgreSQL's numbered `$1`, `$2`, ...
    ///
    /// A `?` inside a single-quoted literal (`'why?'`, with `''` as an
    /// escaped quote), a double-quoted identifier, a `--` comment or a
    /// `/* */` comment is left alone. Dollar-quoted strings and `E'\''`
    /// escapes are not recognised: the report store does not write them.
    public static func numberingPlaceholders(in sql: String) -> String {
        enum State { case code, singleQuoted, doubleQuoted, lineComment, blockComment }
        var state = State.code
        var output = String.UnicodeScalarView()
        var number = 0
        var previous: Unicode.Scalar?
        for scalar in sql.unicodeScalars {
            var current: Unicode.Scalar? = scalar
            switch state {
            case .code:
                switch scalar {
                case "?":
                    number += 1
                    output.append(contentsOf: "$\(number)".unicodeScalars)
                    previous = nil
                    continue
                case "'": state = .singleQuoted
                case "\"": state = .doubleQuoted
                case "-" where previous == "-":
                    state = .lineComment
                case "*" where previous == "/":
                    state = .blockComment
                    // So the `*` of `/*` cannot also close the comment (`/*/`).
                    current = nil
                default: break
                }
            case .singleQuoted:
                // `''` inside a literal leaves and re-enters it: same result.
                if scalar == "'" { state = .code; current = nil }
            case .doubleQuoted:
                if scalar == "\"" { state = .code; current = nil }
            case .lineComment:
                if scalar == "\n" { state = .code }
            case .blockComment:
                if scalar == "/" && previous == "*" { state = .code; current = nil }
            }
            output.append(scalar)
            previous = current
        }
        return String(output)
    }

    /// Turns a Perl DBI DSN for DBD::Pg, as the Perl milter's configuration
    /// holds it (`dbi:Pg:dbname=dmarc;host=127.0.0.1;port=5432`, user and
    /// password given separately), into a libpq keyword string.
    ///
    /// Like DBD::Pg: `db` and `database` mean `dbname`, a part without `=` is
    /// the database name, DBI attributes in parentheses after the driver
    /// (`dbi:Pg(AutoCommit=>1):...`) are ignored, and a non-empty `user` or
    /// `password` given separately wins over one in the DSN. Every value is
    /// written single-quoted with `\` before `'` and `\`, as libpq requires
    /// for values with spaces or quotes; a value already quoted in the DSN
    /// is unquoted first.
    ///
    /// - Returns: nil when `dsn` is not a `dbi:Pg:` DSN, or has a key libpq
    ///   could not read.
    public static func conninfo(fromPerlDSN dsn: String, user: String? = nil, password: String? = nil) -> String? {
        // "dbi:" and the driver name, then the driver's part.
        let parts = dsn.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].lowercased() == "dbi" else { return nil }
        var driver = parts[1]
        if let parenthesis = driver.firstIndex(of: "(") {
            guard driver.hasSuffix(")") else { return nil }
            driver = driver[..<parenthesis]
        }
        guard driver.lowercased() == "pg" else { return nil }

        var pairs: [(key: String, value: String)] = []
        for item in parts[2].split(separator: ";") {
            let key: String
            let rawValue: Substring
            if let equals = item.firstIndex(of: "=") {
                key = trimmedWhitespace(item[..<equals]).lowercased()
                rawValue = item[item.index(after: equals)...]
            } else {
                key = "dbname"
                rawValue = item
            }
            let value = unquoted(trimmedWhitespace(rawValue))
            if key.isEmpty && value.isEmpty { continue }
            guard !key.isEmpty, key.unicodeScalars.allSatisfy(isKeywordCharacter) else { return nil }
            switch key {
            case "db", "database": pairs.append(("dbname", value))
            default: pairs.append((key, value))
            }
        }
        if let user, !user.isEmpty { pairs.append(("user", user)) }
        if let password, !password.isEmpty { pairs.append(("password", password)) }
        return pairs.map { "\($0.key)=\(quotedConninfoValue($0.value))" }.joined(separator: " ")
    }

    /// A value as libpq's keyword string reads it back unchanged.
    public static func quotedConninfoValue(_ value: String) -> String {
        var quoted = "'"
        for character in value {
            if character == "'" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        quoted.append("'")
        return quoted
    }

    /// A DSN value written in quotes (`dbname='my db'`; DBD::Pg also takes
    /// double quotes) loses them and its backslash escapes.
    private static func unquoted(_ value: String) -> String {
        guard value.count >= 2, let first = value.first, first == value.last, first == "'" || first == "\"" else {
            return value
        }
        var result = ""
        var escaped = false
        for character in value.dropFirst().dropLast() {
            if !escaped && character == "\\" {
                escaped = true
                continue
            }
            escaped = false
            result.append(character)
        }
        return result
    }

    /// libpq messages end with a newline (and sometimes carry a tab-indented
    /// hint line): kept whole, minus the surrounding whitespace.
    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        return trimmedWhitespace(Substring(String(cString: message)))
    }

    private static func trimmedWhitespace(_ text: Substring) -> String {
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }

    /// Characters of a libpq connection keyword (`sslmode`, `connect_timeout`).
    private static func isKeywordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
    }

    private static func withCStringArray<R>(
        _ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R
    ) -> R {
        withOptionalCStringArray(strings.map { Optional($0) }) { body($0) }
    }

    /// Calls `body` with C copies of `strings` (nil stays a null pointer),
    /// freed afterwards.
    private static func withOptionalCStringArray<R>(
        _ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R
    ) -> R {
        let copies: [UnsafeMutablePointer<CChar>?] = strings.map { string in
            guard let string else { return nil }
            // The bytes plus a terminating NUL, copied by hand so that no
            // allocation failure can turn a value into a NULL.
            let bytes = Array(string.utf8)
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            for (index, byte) in bytes.enumerated() { copy[index] = CChar(bitPattern: byte) }
            copy[bytes.count] = 0
            return copy
        }
        defer { for copy in copies { copy?.deallocate() } }
        // One extra null entry: libpq reads keyword arrays up to a NULL.
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
