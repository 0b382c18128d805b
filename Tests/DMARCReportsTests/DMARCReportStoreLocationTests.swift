import DMARCReports
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
import Config
import JSON

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
        expectReportError(.storeLocation) { _ = try DMARCReportStoreLocation(dsn: "sqlite:relative.db", libDir: "/x") }
        expectReportError(.storeLocation) { _ = try DMARCReportStoreLocation(dsn: "dbi:SQLite:foo=bar", libDir: "/x") }
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
        let spaced = try DMARCReportStoreLocation(dsn: "dbi:Pg:dbname=dmarc", user: "am", password: "two words 'n quote", libDir: "/x")
        #expect(!spaced.description.contains("words") && !spaced.description.contains("quote"), "\(spaced)")
        #expect(spaced.description.contains("dbname"))
        let query = try DMARCReportStoreLocation(dsn: "postgresql://db/dmarc?sslmode=require&password=s3cret", libDir: "/x")
        #expect(!query.description.contains("s3cret") && query.description.contains("sslmode=require"), "\(query)")
    }

    /// The report commands never create a SQLite store: one made by root's
    /// cron would lock out the spool, which runs as runas.
    @Test func theCommandsNeverCreateTheStore() {
        let path = NSTemporaryDirectory() + "authmilter-nostore-\(getpid()).sqlite"
        for mode in [DMARCReportStoreLocation.Access.commandReadOnly, .commandReadWrite] {
            do {
                _ = try DMARCReportStoreLocation.sqlite(path: path).open(mode)
                Issue.record("opened a store that does not exist")
            } catch {
                #expect(error.description.contains("no report store at"))
            }
            #expect(access(path, F_OK) != 0)
        }
    }

    @Test func aReportSenderThatIsNotABareAddressIsRefusedAtStart() throws {
        func settings(_ email: String) throws -> DMARCReportSettings {
            let configuration = try Configuration(fromJSON: .object(JSONObject([
                ("connection", .string("inet:12345@localhost")),
                ("handlers", .object(JSONObject([("DMARC", .object(JSONObject([("report_org_email", .string(email))])))]))),
            ])))
            return try DMARCReportSettings(configuration: configuration, hostname: "host.example")
        }
        #expect(try settings("dmarc@example.net").orgEmail == "dmarc@example.net")
        for bad in ["DMARC <dmarc@example.net>", "dmarc", "a@b@c", "dmarc@exa mple.net", "@example.net"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try settings(bad) }
        }
    }
}
