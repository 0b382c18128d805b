#if canImport(Glibc)
import Glibc
#endif
import DMARCReports
import MailAuth

// dmarc_view_reports: what the DMARC aggregate report store holds, named
// like Mail::DMARC's tool. Reads the milter's configuration (--prefix,
// --ident) to find the store.

let usage = """
    usage: dmarc_view_reports [--prefix DIR] [--ident NAME] [--rows] [--sent N]
      --prefix DIR   where authentication_milter.json is (default /etc)
      --ident NAME   the milter's ident (picks the same default lib_dir)
      --rows         list every row waiting for a report
      --sent N       list the N latest report attempts (default 20)
    """

/// Text from mail and DNS: control characters as `?`, no terminal escapes.
func printable(_ text: String) -> String { ControlCharacters.printable(text) }

func timestamp(_ seconds: Int64) -> String {
    var time = time_t(seconds)
    var parts = tm()
    gmtime_r(&time, &parts)
    var buffer = [CChar](repeating: 0, count: 32)
    strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
    return ReportCommandContext.text(buffer)
}

do {
    let context = try ReportCommandContext(arguments: Array(CommandLine.arguments.dropFirst()))
    var showRows = false
    var sentLimit = 20
    var index = 0
    let words = context.remaining
    while index < words.count {
        switch words[index] {
        case "--rows": showRows = true
        case "--sent":
            index += 1
            guard index < words.count, let n = Int(words[index]), n >= 0 else { throw ReportError(.usage, "--sent needs a number") }
            sentLimit = n
        case "-h", "--help": print(usage); exit(0)
        default: throw ReportError(.usage, "unknown argument \(words[index])\n\(usage)")
        }
        index += 1
    }
    let store = try context.settings.store.open(.commandReadOnly)
    print("store: \(context.settings.store)")
    if !context.settings.enabled { print("note: the DMARC handler is off or has no_report set: no rows are being stored") }
    let counts = try store.pendingCounts()
    print("pending: \(counts.reduce(0) { $0 + $1.rows }) rows for \(counts.count) policy domains")
    for line in counts {
        print("  \(printable(line.policyDomain)) rows=\(line.rows) oldest=\(timestamp(line.oldest)) newest=\(timestamp(line.newest))")
    }
    if showRows {
        let pending = try store.pendingRows(before: Int64.max)
        for row in pending.rows {
            print("row \(row.id) \(timestamp(row.arrival)) policy_domain=\(printable(row.policyDomain)) source_ip=\(printable(row.sourceIP)) header_from=\(printable(row.headerFrom)) envelope_from=\(printable(row.envelopeFrom)) disposition=\(row.disposition.rawValue) dkim=\(row.dkimAligned ? "pass" : "fail") spf=\(row.spfAligned ? "pass" : "fail")")
        }
        for id in pending.unreadable { print("row \(id) unreadable (row_json does not decode)") }
    }
    let attempts = try store.attempts(limit: sentLimit)
    print("reports: \(attempts.count) latest attempts")
    for attempt in attempts {
        print("  \(timestamp(attempt.attemptedAt)) \(attempt.status.rawValue) \(printable(attempt.policyDomain)) report_id=\(attempt.reportID) messages=\(attempt.messages) to=\(printable(attempt.destinations.joined(separator: ","))) \(printable(attempt.detail))")
    }
} catch {
    ReportCommandContext.fail("dmarc_view_reports", "\(error)")
}
