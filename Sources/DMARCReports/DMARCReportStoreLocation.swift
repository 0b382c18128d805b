#if canImport(Glibc)
import Glibc
#endif
/// Where the aggregate report store is, from the DMARC handler's
/// `report_store` key:
///
/// - unset or empty: SQLite at `<lib_dir>/dmarc_reports.sqlite`;
/// - `sqlite:/path/file.sqlite` or Perl DBI's `dbi:SQLite:dbname=/path`:
///   that SQLite file;
/// - `postgresql://...` / `postgres://...` (a libpq URI), or Perl DBI's
///   `dbi:Pg:dbname=...;host=...;port=...` with `report_store_user` and
///   `report_store_pass`: PostgreSQL, for a fleet of milters sharing one
///   store.
public enum DMARCReportStoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgresql(conninfo: String)

    public static let defaultFileName = "dmarc_reports.sqlite"

    public init(dsn: String?, user: String? = nil, password: String? = nil, libDir: String) throws(ReportError) {
        let text = (dsn ?? "").trimmingCharacters(in: " \t")
        let lower = text.lowercased()
        if text.isEmpty {
            let dir = libDir.hasSuffix("/") ? String(libDir.dropLast()) : libDir
            self = .sqlite(path: dir + "/" + Self.defaultFileName)
        } else if lower.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard path.hasPrefix("/") else { throw ReportError(.storeLocation, "report_store \(text): the SQLite path must be absolute") }
            self = .sqlite(path: path)
        } else if lower.hasPrefix("dbi:sqlite:") {
            let attributes = Self.dbiAttributes(String(text.dropFirst("dbi:SQLite:".count)))
            guard let path = attributes["dbname"] ?? attributes["database"] ?? attributes["db"], path.hasPrefix("/") else {
                throw ReportError(.storeLocation, "report_store \(text): expected dbi:SQLite:dbname=/absolute/path")
            }
            self = .sqlite(path: path)
        } else if lower.hasPrefix("postgresql://") || lower.hasPrefix("postgres://") {
            self = .postgresql(conninfo: text)
        } else if lower.hasPrefix("dbi:pg:") {
            guard let conninfo = PostgreSQLConnection.conninfo(fromPerlDSN: text, user: user, password: password) else {
                throw ReportError(.storeLocation, "report_store \(text): not a usable dbi:Pg DSN")
            }
            self = .postgresql(conninfo: conninfo)
        } else {
            throw ReportError(.storeLocation, "report_store \(text): expected sqlite:/path, dbi:SQLite:dbname=/path, postgresql://... or dbi:Pg:...")
        }
    }

    /// `name=value;name=value` as DBI writes driver attributes.
    static func dbiAttributes(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in text.split(separator: ";") {
            guard let equals = part.firstIndex(of: "=") else { continue }
            result[part[..<equals].trimmingCharacters(in: " ").lowercased()] = part[part.index(after: equals)...].trimmingCharacters(in: " ")
        }
        return result
    }

    /// How the report commands open the store: they never create a SQLite
    /// file (the spool does, as `runas`); the view command only reads.
    public enum Access: Sendable {
        case spool, commandReadWrite, commandReadOnly
    }

    /// Opens the database and the store in it.
    public func open(_ access: Access = .spool) throws(ReportError) -> DMARCReportStore {
        switch self {
        case .sqlite(let path):
            switch access {
            case .spool: return try DMARCReportStore(connection: SQLiteConnection(path: path, mode: .create))
            case .commandReadWrite: return try DMARCReportStore(connection: Self.existing(path, mode: .readWrite))
            case .commandReadOnly:
                return try DMARCReportStore(connection: Self.existing(path, mode: .readOnly), createSchema: false)
            }
        case .postgresql(let conninfo): return try DMARCReportStore(connection: PostgreSQLConnection(conninfo: conninfo))
        }
    }

    private static func existing(_ path: String, mode: SQLiteConnection.Mode) throws(ReportError) -> SQLiteConnection {
        guard access(path, F_OK) == 0 else {
            throw ReportError(.database, "no report store at \(path) yet: the milter's spool creates it when the first report row arrives")
        }
        return try SQLiteConnection(path: path, mode: mode)
    }

    /// For logs: never prints a password.
    public var description: String {
        switch self {
        case .sqlite(let path): return "SQLite \(path)"
        case .postgresql(let conninfo): return "PostgreSQL \(Self.redacted(conninfo))"
        }
    }

    static func redacted(_ conninfo: String) -> String {
        // URI form: scheme://user:password@host/...?password=...
        let characters = Array(conninfo)
        var text = conninfo
        if let schemeEnd = (0..<max(0, characters.count - 2)).first(where: { characters[$0] == ":" && characters[$0 + 1] == "/" && characters[$0 + 2] == "/" }) {
            let start = schemeEnd + 3
            if let at = characters[start...].firstIndex(of: "@"), let colon = characters[start..<at].firstIndex(of: ":") {
                text = String(characters[..<colon]) + ":***" + String(characters[at...])
            }
            // Query parameters: ...&password=secret&...
            var parts = text.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            if parts.count == 2 {
                parts[1] = parts[1].split(separator: "&", omittingEmptySubsequences: false).map { item in
                    item.lowercased().hasPrefix("password=") ? "password=***" : String(item)
                }.joined(separator: "&")
                text = parts.joined(separator: "?")
            }
            return text
        }
        // Keyword form: password=value or password='quoted value with \' and spaces'.
        var out = ""
        var rest = Substring(conninfo)
        while let range = rest.firstRange(of: "password") {
            out += rest[..<range.upperBound]
            rest = rest[range.upperBound...]
            var afterSpaces = rest.drop { $0 == " " }
            guard afterSpaces.first == "=" else { continue }
            afterSpaces = afterSpaces.dropFirst().drop { $0 == " " }
            out += "=***"
            if afterSpaces.first == "'" {
                var index = afterSpaces.index(after: afterSpaces.startIndex)
                while index < afterSpaces.endIndex {
                    if afterSpaces[index] == "\\" {
                        index = afterSpaces.index(index, offsetBy: 2, limitedBy: afterSpaces.endIndex) ?? afterSpaces.endIndex
                        continue
                    }
                    if afterSpaces[index] == "'" { index = afterSpaces.index(after: index); break }
                    index = afterSpaces.index(after: index)
                }
                rest = afterSpaces[index...]
            } else {
                rest = afterSpaces.drop { $0 != " " }
            }
        }
        return out + rest
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
