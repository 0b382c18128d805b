import DMARCReports
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct PostgreSQLConnectionTests {
    // MARK: Always run: no server needed.

    @Test func placeholdersAreNumberedOutsideLiteralsIdentifiersAndComments() {
        let cases: [(String, String)] = [
            ("INSERT INTO t VALUES (?, ?, ?)", "INSERT INTO t VALUES ($1, $2, $3)"),
            ("SELECT 'why?', ? FROM t WHERE a = 'it''s ?' AND b = ?",
             "SELECT 'why?', $1 FROM t WHERE a = 'it''s ?' AND b = $2"),
            ("SELECT \"odd?name\", ? -- trailing ?\nFROM t /* a ? here */ WHERE c = ?",
             "SELECT \"odd?name\", $1 -- trailing ?\nFROM t /* a ? here */ WHERE c = $2"),
            ("/*/ ? */ ?", "/*/ ? */ $1"),
            ("SELECT 10-?", "SELECT 10-$1"),
            ("SELECT 'é?', ?, '日本🌍'", "SELECT 'é?', $1, '日本🌍'"),
            ("SELECT 1", "SELECT 1"),
            ("", ""),
            // Unterminated: left as it is, the server reports the error.
            ("SELECT 'abc ?", "SELECT 'abc ?"),
            (Array(repeating: "?", count: 11).joined(separator: ","), "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11"),
        ]
        for (sql, expected) in cases {
            #expect(PostgreSQLConnection.numberingPlaceholders(in: sql) == expected, "\(sql)")
        }
    }

    @Test func aPerlDSNBecomesAQuotedKeywordString() {
        #expect(PostgreSQLConnection.conninfo(
            fromPerlDSN: "dbi:Pg:dbname=dmarc;host=127.0.0.1;port=5432", user: "milter", password: "it's a \\secret")
            == "dbname='dmarc' host='127.0.0.1' port='5432' user='milter' password='it\\'s a \\\\secret'")
        #expect(PostgreSQLConnection.conninfo(fromPerlDSN: "dbi:Pg:dbname=x", user: "", password: nil) == "dbname='x'")
        #expect(PostgreSQLConnection.conninfo(fromPerlDSN: "dbi:Pg:host=::1;dbname=x") == "host='::1' dbname='x'")
        // DBD::Pg's synonyms, DBI attributes, spaces, quoted values, a bare name.
        #expect(PostgreSQLConnection.conninfo(fromPerlDSN: "DBI:Pg(AutoCommit=>1):database=dmarc ; host = db.example")
            == "dbname='dmarc' host='db.example'")
        #expect(PostgreSQLConnection.conninfo(fromPerlDSN: "dbi:Pg:db='my reports';sslmode=require")
            == "dbname='my reports' sslmode='require'")
        #expect(PostgreSQLConnection.conninfo(fromPerlDSN: "dbi:Pg:dmarc") == "dbname='dmarc'")
        // The separate user wins over one in the DSN (libpq keeps the last).
        #expect(PostgreSQLConnection.conninfo(fromPerlDSN: "dbi:Pg:dbname=d;user=a", user: "b")
            == "dbname='d' user='a' user='b'")
    }

    @Test func aDSNForAnotherDriverOrMalformedIsNil() {
        for dsn in ["dbi:mysql:database=dmarc", "dbi:SQLite:dbname=/var/lib/reports.sqlite",
                    "postgresql://localhost/dmarc", "", "dbi:Pg", "Pg:dbname=x", "dbi:Pg:dbname=x;bad key=1",
                    "dbi:Pg(AutoCommit=>1:dbname=x"] {
            #expect(PostgreSQLConnection.conninfo(fromPerlDSN: dsn) == nil, "\(dsn)")
        }
    }

    @Test func anUnreachableServerIsADatabaseErrorWithLibpqsMessage() {
        let error = #expect(throws: ReportError.self) {
            try PostgreSQLConnection(conninfo: "host=/nonexistent-dir port=1")
        }
        #expect(error?.code == .database)
        let description = error?.description ?? ""
        #expect(description.contains("/nonexistent-dir/.s.PGSQL.1"), "\(description)")
        #expect(!description.hasSuffix("\n"))
        // The string made from a Perl DSN is one libpq reads as meant.
        let fromDSN = PostgreSQLConnection.conninfo(fromPerlDSN: "dbi:Pg:host=/nonexistent-dir;port=1;dbname=d")
        let dsnError = #expect(throws: ReportError.self) {
            try PostgreSQLConnection(conninfo: fromDSN ?? "")
        }
        #expect(dsnError?.description.contains("/nonexistent-dir/.s.PGSQL.1") == true)
    }

    @Test func aMalformedConninfoIsADatabaseErrorWithLibpqsMessage() {
        let error = #expect(throws: ReportError.self) {
            try PostgreSQLConnection(conninfo: "host=/nonexistent-dir nonsense_option=1")
        }
        #expect(error?.description.contains("invalid connection option \"nonsense_option\"") == true, "\(String(describing: error))")
        expectReportError(.database) { _ = try PostgreSQLConnection(conninfo: "host=/tmp\u{0}port=1") }
    }

    // MARK: Against a real server.

    /// The conninfo of a disposable test server. CI's scripts/test.sh starts
    /// one with scripts/postgres-test-server.sh and sets the variable; a
    /// developer machine usually has no PostgreSQL server, so these tests are
    /// skipped there rather than failing.
    static let serverConninfo: String? = {
        guard let value = getenv("AUTHMILTER_TEST_POSTGRES") else { return nil }
        let conninfo = String(cString: value)
        return conninfo.isEmpty ? nil : conninfo
    }()

    @Suite(.enabled(if: serverConninfo != nil, "needs AUTHMILTER_TEST_POSTGRES: set by scripts/test.sh after scripts/postgres-test-server.sh start"))
    struct AgainstARealServer {
        private func connect() throws -> PostgreSQLConnection {
            try PostgreSQLConnection(conninfo: serverConninfo ?? "")
        }

        /// Tests run in parallel, each on its own connection; temporary
        /// tables vanish with it, the unique name keeps them apart anyway.
        private func uniqueTable() -> String {
            "am_pg_test_\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        }

        @Test func roundTripsIntegersQuotedAndUnicodeTextAndNull() throws {
            let db = try connect()
            let table = uniqueTable()
            try db.execute("CREATE TEMPORARY TABLE \(table) (id BIGINT PRIMARY KEY, small INTEGER, name TEXT, note TEXT)", [])
            let quoted = "O'Brien \"quoted\" \\ back; DROP TABLE x; --"
            let unicode = "héllo 🌍 日本 \u{301}"
            try db.execute("INSERT INTO \(table) VALUES (?, ?, ?, ?)", [.integer(1 << 40), .integer(7), .text(quoted), .null])
            try db.execute("INSERT INTO \(table) VALUES (?, ?, ?, ?)",
                           [.integer(Int64.min), .integer(-2_147_483_648), .text(unicode), .text("")])
            try db.execute("INSERT INTO \(table) VALUES (?, ?, ?, ?)", [.integer(Int64.max), .null, .null, .text("?")])
            let rows = try db.execute("SELECT id, small, name, note FROM \(table) ORDER BY id", [])
            #expect(rows == [
                [.integer(Int64.min), .integer(-2_147_483_648), .text(unicode), .text("")],
                [.integer(1 << 40), .integer(7), .text(quoted), .null],
                [.integer(Int64.max), .null, .null, .text("?")],
            ])
            #expect(try db.execute("SELECT count(*) FROM \(table) WHERE id > ?", [.integer(1 << 33)]) == [[.integer(2)]])
            #expect(try db.execute("SELECT note FROM \(table) WHERE name = ?", [.text(quoted)]) == [[.null]])
        }

        @Test func integerColumnsReadAsIntegersAndOtherTypesAsText() throws {
            let db = try connect()
            let rows = try db.execute(
                "SELECT 1::smallint, 2::integer, 3::bigint, 4::numeric, true, 1.5::float8, NULL::bigint, ?, ?, ? + 1",
                [.integer(5), .text("6"), .integer(1 << 40)])
            #expect(rows == [[.integer(1), .integer(2), .integer(3), .text("4"), .text("t"), .text("1.5"), .null,
                              .integer(5), .text("6"), .integer((1 << 40) + 1)]])
            #expect(try db.execute("SELECT 1 WHERE false", []) == [])
        }

        @Test func aQuestionMarkInsideALiteralIsNotAPlaceholder() throws {
            let db = try connect()
            let rows = try db.execute("SELECT 'why?', ?, 'it''s ?' -- what?\n", [.integer(5)])
            #expect(rows == [[.text("why?"), .integer(5), .text("it's ?")]])
        }

        @Test func aFailedStatementInATransactionRollsBack() throws {
            let db = try connect()
            let table = uniqueTable()
            try db.execute("CREATE TEMPORARY TABLE \(table) (id TEXT PRIMARY KEY)", [])
            #expect(throws: ReportError.self) {
                try db.transaction { () throws(ReportError) in
                    try db.execute("INSERT INTO \(table) VALUES (?)", [.text("a")])
                    try db.execute("INSERT INTO \(table)_nowhere VALUES (?)", [.text("b")])
                }
            }
            #expect(try db.execute("SELECT count(*) FROM \(table)", []) == [[.integer(0)]])
            // The connection is usable again after the rollback.
            try db.transaction { () throws(ReportError) -> Void in
                try db.execute("INSERT INTO \(table) VALUES (?)", [.text("c")])
            }
            #expect(try db.execute("SELECT id FROM \(table)", []) == [[.text("c")]])
        }

        @Test func onConflictDoNothingIgnoresADuplicate() throws {
            let db = try connect()
            let table = uniqueTable()
            try db.execute("CREATE TEMPORARY TABLE \(table) (id TEXT PRIMARY KEY, n BIGINT)", [])
            try db.execute("INSERT INTO \(table) (id, n) VALUES (?, ?) ON CONFLICT (id) DO NOTHING", [.text("a"), .integer(1)])
            try db.execute("INSERT INTO \(table) (id, n) VALUES (?, ?) ON CONFLICT (id) DO NOTHING", [.text("a"), .integer(2)])
            #expect(try db.execute("SELECT id, n FROM \(table)", []) == [[.text("a"), .integer(1)]])
        }

        @Test func aServerErrorCarriesPostgreSQLsMessage() throws {
            let db = try connect()
            let error = #expect(throws: ReportError.self) {
                try db.execute("SELECT * FROM am_pg_test_nowhere WHERE a = ?", [.integer(1)])
            }
            #expect(error?.code == .database)
            let description = error?.description ?? ""
            #expect(description.contains("relation \"am_pg_test_nowhere\" does not exist"), "\(description)")
            #expect(description.contains("SELECT * FROM am_pg_test_nowhere WHERE a = ?"))
            // A parameter count that does not match is the server's error too.
            expectReportError(.database) { _ = try db.execute("SELECT ?", []) }
        }

        @Test func textWithANULIsAnErrorNotATruncation() throws {
            let db = try connect()
            expectReportError(.database) { _ = try db.execute("SELECT ?", [.text("a\u{0}b")]) }
            #expect(try db.execute("SELECT 1", []) == [[.integer(1)]])
        }

        @Test func aURIConnects() throws {
            // The same parameters as the keyword string, as a URI's query
            // (the test server's conninfo has no quoted values).
            var query: [String] = []
            for pair in (serverConninfo ?? "").split(separator: " ") {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                query.append("\(pair[..<equals])=\(percentEncoded(pair[pair.index(after: equals)...]))")
            }
            let db = try PostgreSQLConnection(conninfo: "postgresql://?" + query.joined(separator: "&"))
            #expect(try db.execute("SELECT current_database()", []) == [[.text("authmilter_test")]])
        }

        @Test func aTerminatedSessionIsReconnectedOnce() throws {
            let db = try connect()
            let other = try connect()
            let pid = try db.execute("SELECT pg_backend_pid()", [])
            #expect(pid.count == 1)
            try other.execute("SELECT pg_terminate_backend(?, 5000)", pid.first ?? [])
            // Not in a transaction: the failed statement is sent again on the
            // reset connection.
            let newPID = try db.execute("SELECT pg_backend_pid()", [])
            #expect(newPID.count == 1 && newPID != pid)

            // In a transaction: the statement fails, the next one reconnects.
            try db.execute("BEGIN", [])
            try other.execute("SELECT pg_terminate_backend(?, 5000)", newPID.first ?? [])
            expectReportError(.database) { _ = try db.execute("SELECT 1", []) }
            #expect(try db.execute("SELECT 2", []) == [[.integer(2)]])
        }

        private func percentEncoded(_ text: Substring) -> String {
            var encoded = ""
            for byte in text.utf8 {
                let scalar = Unicode.Scalar(byte)
                if ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                    || "-._~".unicodeScalars.contains(scalar) {
                    encoded.unicodeScalars.append(scalar)
                } else {
                    let hex = String(byte, radix: 16, uppercase: true)
                    encoded += "%" + (hex.count == 1 ? "0" + hex : hex)
                }
            }
            return encoded
        }
    }
}
