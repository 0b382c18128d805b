#if canImport(Glibc)
import Glibc
#endif
import DMARCReports
import MailAuth

// report-bench: the cost of DMARC aggregate reporting, in the three places
// it is paid.
//
//   report-bench [--rows 20000] [--directory /tmp]
//
// 1. worker + spool: a row's JSON text built and parsed back (what the
//    worker sends, what the spool checks);
// 2. spool: rows through the journal (write + fdatasync) into the SQLite
//    store and the journal emptied, in rounds of 1 row (a quiet server:
//    one fsync and one transaction per message) and of 64 rows (a busy
//    one: the spool takes every frame waiting in one poll round);
// 3. dmarc_send_reports: the waiting rows read back, grouped into reports
//    for 50 policy domains, XML built and gzipped.
// The disk is this machine's; fdatasync dominates step 2.

var rowCount = 20_000
var directory = "/tmp"
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    if argument == "--rows", let value = arguments.popFirst().flatMap(Int.init), value > 0 {
        rowCount = value
    } else if argument == "--directory", let value = arguments.popFirst() {
        directory = value
    } else {
        print("usage: report-bench [--rows N] [--directory DIR]")
        exit(2)
    }
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// `value` with `decimals` digits after the point (no Foundation here).
func fixed(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = Int((value * scale).rounded())
    guard decimals > 0 else { return String(scaled) }
    let whole = scaled / Int(scale)
    let fraction = String(scaled % Int(scale))
    return "\(whole)." + String(repeating: "0", count: decimals - fraction.count) + fraction
}

func row(_ n: Int) -> DMARCReportRow {
    let hex = String(n, radix: 16)
    let domain = "domain\(n % 50).example"
    let id = String(repeating: "0", count: 32 - hex.count) + hex
    let quarantined = n % 3 == 0
    let reasons = quarantined ? [DMARCPolicyOverrideReason(type: .localPolicy, comment: "Reject ignored due to local policy")] : []
    let dkim = [DMARCDKIMInput(domain: domain, selector: "s1", result: quarantined ? "fail" : "pass")]
    let spf = [DMARCSPFInput(domain: "bounces." + domain, result: n % 2 == 0 ? "pass" : "softfail")]
    let policy = DMARCReportPolicy(p: "reject", sp: "quarantine", pct: 100, rua: "mailto:dmarc@" + domain)
    return DMARCReportRow(
        id: id, arrival: 1_764_000_000 + Int64(n), policyDomain: domain, policy: policy,
        sourceIP: "192.0.2." + String(n % 200), headerFrom: domain, envelopeFrom: "bounces." + domain, envelopeTo: "example.net",
        disposition: quarantined ? .quarantine : .none, dkimAligned: !quarantined, spfAligned: n % 2 == 0,
        reasons: reasons, dkimResults: dkim, spfResults: spf)
}

let rows = (0..<rowCount).map(row)

// 1. JSON both ways.
var start = now()
var bytes = 0
for r in rows {
    let text = r.jsonText
    bytes += text.utf8.count
    guard (try? DMARCReportRow(jsonText: text)) == r else { print("round trip failed"); exit(1) }
}
var elapsed = now() - start
let jsonRate = Double(rowCount) / elapsed
let jsonMicros = elapsed / Double(rowCount) * 1e6
print("row JSON encode+decode: \(fixed(jsonRate, 0)) rows/s (\(fixed(jsonMicros, 1)) µs/row, \(bytes / rowCount) bytes/row)")

// 2. Journal + store.
for batch in [1, 64] {
    let dir = "\(directory)/report-bench-\(getpid())-\(batch)"
    mkdir(dir, 0o700)
    let journal = try ReportJournal(directory: dir)
    let store = try DMARCReportStore(connection: SQLiteConnection(path: dir + "/reports.sqlite"))
    let count = batch == 1 ? min(rowCount, 2_000) : rowCount
    start = now()
    var index = 0
    while index < count {
        let slice = Array(rows[index..<min(index + batch, count)])
        try journal.append(slice)
        try store.insert(slice)
        try journal.clear()
        index += batch
    }
    elapsed = now() - start
    let rate = Double(count) / elapsed
    let perRound = elapsed / Double((count + batch - 1) / batch) * 1e3
    print("spool, \(batch) rows per round: \(fixed(rate, 0)) rows/s (\(count) rows, \(fixed(perRound, 2)) ms per round)")
    if batch == 64 {
        // 3. Reports from what was stored.
        start = now()
        let pending = try store.pendingRows(before: Int64.max)
        let reporter = DMARCReporter(orgName: "Bench", email: "noreply@example.net", domain: "example.net")
        var reports = 0
        var records = 0
        var gzipped = 0
        for (domain, group) in AggregateReport.group(rows: pending.rows) {
            guard let report = AggregateReport(reporter: reporter, reportID: "bench", begin: 0, end: 1, policyDomain: domain,
                                               rows: group) else { continue }
            gzipped += Gzip.compress(AggregateReportXML.bytes(report)).count
            reports += 1
            records += report.records.count
        }
        elapsed = now() - start
        let buildRate = Double(pending.rows.count) / elapsed
        print("dmarc_send_reports build: \(pending.rows.count) rows -> \(reports) reports, \(records) records, "
              + "\(gzipped) gzip bytes in \(fixed(elapsed, 2)) s (\(fixed(buildRate, 0)) rows/s)")
    }
    for name in ["reports.sqlite", "reports.sqlite-wal", "reports.sqlite-shm", ReportJournal.fileName] { unlink(dir + "/" + name) }
    rmdir(dir)
}
