import DMARCReports
import MailAuth
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
import Config
import JSON

/// `dmarc_send_reports`' run: rows from a real SQLite store, destinations
/// verified over an in-memory zone, sending to a scripted SMTP server on
/// loopback (the smarthost). What is asserted is what the store records.
@Suite(.serialized) struct AggregateReportRunTests {
    static func settings(smarthost: String) throws -> DMARCReportSettings {
        let configuration = try Configuration(fromJSON: .object(JSONObject([
            ("connection", .string("inet:12345@localhost")), ("lib_dir", .string("/tmp")),
            ("handlers", .object(JSONObject([("DMARC", .object(JSONObject([
                ("report_org_name", .string("Receiver Org")), ("report_org_email", .string("dmarc@receiver.example")),
                ("report_org_domain", .string("receiver.example")), ("report_smarthost", .string(smarthost)),
            ])))]))),
        ])))
        return try DMARCReportSettings(configuration: configuration, hostname: "host.example")
    }

    static func row(_ n: Int, domain: String, rua: String) -> DMARCReportRow {
        var row = ReportRowSamples.row(n, domain: domain)
        row.policy.rua = rua
        return row
    }

    static func zone() -> InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        dns.add("sender.example._report._dmarc.reports.example", .txt("v=DMARC1"))
        dns.markServfail("flaky.example._report._dmarc.reports.example")
        return dns
    }

    static func withStore(_ body: (DMARCReportStore) throws -> Void) throws {
        let path = NSTemporaryDirectory() + "authmilter-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sqlite"
        defer { unlink(path); unlink(path + "-wal"); unlink(path + "-shm") }
        try body(DMARCReportStore(connection: SQLiteConnection(path: path)))
    }

    static func organizationalDomain(_ name: String) -> String {
        name.split(separator: ".").suffix(2).joined(separator: ".")
    }

    @Test func verifiedDestinationsGetTheReportOthersAreRefusedOrDeferred() throws {
        try Self.withStore { store in
            try store.insert([
                Self.row(1, domain: "sender.example", rua: "mailto:agg@reports.example"),
                Self.row(2, domain: "sender.example", rua: "mailto:agg@reports.example"),
                Self.row(3, domain: "other.example", rua: "mailto:agg@reports.example"),
                Self.row(4, domain: "flaky.example", rua: "mailto:agg@reports.example"),
                Self.row(5, domain: "tiny.example", rua: "mailto:agg@tiny.example!1k"),
            ])
            let server = try ScriptedSMTPServer(banner: "220 smarthost", replies: [
                "250 smarthost", "250 ok", "250 ok", "354 go", "250 2.0.0 queued as R1", "221 bye",
            ])
            let run = AggregateReportRun(settings: try Self.settings(smarthost: "127.0.0.1:\(server.port)"), store: store,
                                         resolver: Self.zone(), organizationalDomain: Self.organizationalDomain,
                                         smtp: SMTPClient(heloName: "receiver.example", timeoutSeconds: 5))
            let result = try run.run(AggregateReportRun.Options(now: 1_800_000_000))
            server.waitUntilDone()
            let byDomain = Dictionary(uniqueKeysWithValues: result.outcomes.map { ($0.attempt.policyDomain, $0) })
            #expect(byDomain["sender.example"]?.attempt.status == .sent)
            #expect(byDomain["sender.example"]?.attempt.destinations == ["agg@reports.example"])
            #expect(byDomain["sender.example"]?.attempt.messages == 2)
            #expect(byDomain["other.example"]?.attempt.status == .refused, "no authorisation record")
            #expect(byDomain["flaky.example"]?.attempt.status == .deferred, "SERVFAIL on the authorisation record")
            #expect(byDomain["tiny.example"]?.attempt.status == .refused, "larger than the 1k limit")
            #expect(byDomain["tiny.example"]?.notes.contains { $0.contains("exceeds the published limit") } == true)
            // What went over the wire: our sender, the verified address, a
            // report for sender.example.
            let sent = server.received
            #expect(sent.contains("MAIL FROM:<dmarc@receiver.example>"))
            #expect(sent.contains("RCPT TO:<agg@reports.example>"))
            #expect(sent.contains("Subject: Report Domain: sender.example Submitter: receiver.example"))
            // Sent and refused rows are done; the deferred one waits.
            #expect(try store.pendingRows(before: Int64.max).rows.map(\.policyDomain) == ["flaky.example"])
            #expect(try store.attempts(limit: 10).count == 4)
        }
    }

    @Test func aDryRunChangesNothingAndAnSMTPTemporaryFailureDefers() throws {
        try Self.withStore { store in
            try store.insert([Self.row(1, domain: "sender.example", rua: "mailto:agg@reports.example")])
            let dry = AggregateReportRun(settings: try Self.settings(smarthost: "127.0.0.1:1"), store: store, resolver: Self.zone(),
                                         organizationalDomain: Self.organizationalDomain,
                                         smtp: SMTPClient(heloName: "receiver.example", timeoutSeconds: 5))
            let preview = try dry.run(AggregateReportRun.Options(dryRun: true, now: 1_800_000_000))
            #expect(preview.outcomes.map(\.attempt.status) == [.deferred])
            #expect(try store.attempts(limit: 10).isEmpty)
            #expect(try store.pendingRows(before: Int64.max).rows.count == 1)

            let server = try ScriptedSMTPServer(banner: "421 4.3.2 try later", replies: [])
            let run = AggregateReportRun(settings: try Self.settings(smarthost: "127.0.0.1:\(server.port)"), store: store,
                                         resolver: Self.zone(), organizationalDomain: Self.organizationalDomain,
                                         smtp: SMTPClient(heloName: "receiver.example", timeoutSeconds: 5))
            let result = try run.run(AggregateReportRun.Options(now: 1_800_000_000))
            #expect(result.outcomes.map(\.attempt.status) == [.deferred])
            #expect(try store.pendingRows(before: Int64.max).rows.count == 1, "kept for the next run")
            #expect(try store.attempts(limit: 10).map(\.status) == [.deferred])
        }
    }

    @Test func theOutputDirectoryGetsTheGzippedReport() throws {
        try Self.withStore { store in
            try store.insert([Self.row(1, domain: "other.example", rua: "mailto:agg@reports.example")])
            let dir = NSTemporaryDirectory() + "authmilter-run-out-\(getpid())"
            mkdir(dir, 0o700)
            defer { rmdir(dir) }
            let run = AggregateReportRun(settings: try Self.settings(smarthost: "127.0.0.1:1"), store: store, resolver: Self.zone(),
                                         organizationalDomain: Self.organizationalDomain,
                                         smtp: SMTPClient(heloName: "receiver.example", timeoutSeconds: 5))
            let result = try run.run(AggregateReportRun.Options(outputDirectory: dir, now: 1_800_000_000))
            let name = try #require(result.outcomes.first?.filename)
            defer { unlink(dir + "/" + name) }
            #expect(name.hasPrefix("receiver.example!other.example!"))
            let fd = open(dir + "/" + name, O_RDONLY)
            #expect(fd >= 0)
            var header = [UInt8](repeating: 0, count: 2)
            #expect(read(fd, &header, 2) == 2)
            close(fd)
            #expect(header == [0x1f, 0x8b], "a gzip file")
        }
    }

    /// A smarthost that refuses us (relay denied, authentication needed) is
    /// our configuration's fault: the rows wait, nothing is marked.
    @Test func aSmarthostRefusalDefers() throws {
        try Self.withStore { store in
            try store.insert([Self.row(1, domain: "sender.example", rua: "mailto:agg@reports.example")])
            let server = try ScriptedSMTPServer(banner: "220 smarthost", replies: ["250 smarthost", "553 5.7.1 relay denied", "221 bye"])
            let run = AggregateReportRun(settings: try Self.settings(smarthost: "127.0.0.1:\(server.port)"), store: store,
                                         resolver: Self.zone(), organizationalDomain: Self.organizationalDomain,
                                         smtp: SMTPClient(heloName: "receiver.example", timeoutSeconds: 5))
            let result = try run.run(AggregateReportRun.Options(now: 1_800_000_000))
            server.waitUntilDone()
            #expect(result.outcomes.map(\.attempt.status) == [.deferred])
            #expect(try store.pendingRows(before: Int64.max).rows.count == 1)
        }
    }
}
