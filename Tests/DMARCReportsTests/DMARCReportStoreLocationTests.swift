import Testing
import DMARCReports

@Suite struct DMARCReportStoreLocationTests {
    @Test func unsetMeansSQLiteUnderLibDir() throws {
        #expect(try DMARCReportStoreLocation(dsn: nil, libDir: "/var/lib/am/") == .sqlite(path: "/var/lib/am/dmarc_reports.sqlite"))
        #expect(try DMARCReportStoreLocation(dsn: "  ", libDir: "/x") == .sqlite(path: "/x/dmarc_reports.sqlite"))
    }

    @Test func sqliteForms() throws {
        #expect(try DMARCReportStoreLocation(dsn: "sqlite:/data/r.db", libDir: "/x") == .sqlite(path: "/data/r.db"))
        #expect(try DMARCReportStoreLocation(dsn: "sqlite:///data/r.db", libDir: "/x") == .sqlite(path: "/data/r.db"))
        #expect(try DMARCReportStoreLocation(dsn: "dbi:SQLite:dbname=/var/lib/mail-dmarc/reports.sqlite", libDir: "/x")
                == .sqlite(path: "/var/lib/mail-dmarc/reports.sqlite"))
        #expect(throws: DMARCReportStoreLocation.Invalid.self) { try DMARCReportStoreLocation(dsn: "sqlite:relative.db", libDir: "/x") }
        #expect(throws: DMARCReportStoreLocation.Invalid.self) { try DMARCReportStoreLocation(dsn: "dbi:SQLite:foo=bar", libDir: "/x") }
    }

    @Test func postgresqlForms() throws {
        #expect(try DMARCReportStoreLocation(dsn: "postgresql://am@db.example/dmarc", libDir: "/x")
                == .postgresql(conninfo: "postgresql://am@db.example/dmarc"))
        guard case .postgresql(let conninfo) = try DMARCReportStoreLocation(dsn: "dbi:Pg:dbname=dmarc;host=127.0.0.1;port=5433",
                                                                          user: "am", password: "s3cret", libDir: "/x") else {
            Issue.record("dbi:Pg should give PostgreSQL")
            return
        }
        #expect(conninfo.contains("dbname="))
        #expect(conninfo.contains("dmarc"))
        #expect(conninfo.contains("5433"))
        #expect(conninfo.contains("s3cret"))
    }

    @Test func unknownSchemesAreRefusedWithTheText() {
        do {
            _ = try DMARCReportStoreLocation(dsn: "mysql://x", libDir: "/x")
            Issue.record("mysql accepted")
        } catch {
            #expect(error.description.contains("mysql://x"))
        }
    }

    @Test func descriptionsNeverShowPasswords() throws {
        let uri = try DMARCReportStoreLocation(dsn: "postgresql://am:s3cret@db/dmarc", libDir: "/x")
        #expect(!uri.description.contains("s3cret"))
        #expect(uri.description.contains("db/dmarc"))
        let keywords = try DMARCReportStoreLocation(dsn: "dbi:Pg:dbname=dmarc", user: "am", password: "s3cret", libDir: "/x")
        #expect(!keywords.description.contains("s3cret"))
    }
}
