#if canImport(Glibc)
import Glibc
#endif
import DMARCReports
import MailAuth

// dmarc_send_reports: turns the rows in the DMARC aggregate report store
// into RFC 9990 reports (`report_format` "rfc7489": RFC 7489 appendix C
// reports) and mails them to each policy's verified rua
// destinations, named like Mail::DMARC's tool. Run it from cron (daily is
// what most policies ask for with ri=86400). Reads the milter's
// configuration (--prefix, --ident) for the store, who we are, the
// resolvers and the smarthost.

let usage = """
    usage: dmarc_send_reports [--prefix DIR] [--ident NAME] [--dry-run] [--output-dir DIR] [--keep-days N]
      --prefix DIR      where authentication_milter.json is (default /etc)
      --ident NAME      the milter's ident (picks the same default lib_dir)
      --dry-run         build and list the reports; send nothing, change nothing
      --output-dir DIR  also write each report's .xml.gz file there
      --keep-days N     delete rows already reported that are older than N days (default 30)
    """

do {
    let context = try ReportCommandContext(arguments: Array(CommandLine.arguments.dropFirst()))
    var dryRun = false
    var outputDirectory: String?
    var keepDays: Int64 = 30
    var index = 0
    let words = context.remaining
    func value() throws -> String {
        index += 1
        guard index < words.count else { throw ReportError(.usage, "\(words[index - 1]) needs a value\n\(usage)") }
        return words[index]
    }
    while index < words.count {
        switch words[index] {
        case "--dry-run", "-n": dryRun = true
        case "--output-dir": outputDirectory = try value()
        case "--keep-days":
            guard let days = Int64(try value()), days >= 0 else { throw ReportError(.usage, "--keep-days needs a number") }
            keepDays = days
        case "-h", "--help": print(usage); exit(0)
        default: throw ReportError(.usage, "unknown argument \(words[index])\n\(usage)")
        }
        index += 1
    }
    let configuration = context.configuration
    let store = try context.settings.store.open(.commandReadWrite)
    if !dryRun { try SendLock.acquire(context.settings.store, store: store) }
    let resolver = try LDNSStubResolver(servers: configuration.dnsResolvers, timeoutSeconds: min(configuration.dnsTimeout, 10))
    let publicSuffixList = try ReportCommandContext.publicSuffixList(configuration)
    let run = AggregateReportRun(settings: context.settings, store: store, resolver: resolver,
                                 organizationalDomain: { publicSuffixList.organizationalDomain(of: $0) },
                                 smtp: SMTPClient(heloName: context.settings.orgDomain, timeoutSeconds: 120))
    let now = Int64(time(nil))
    let result = try run.run(AggregateReportRun.Options(dryRun: dryRun, outputDirectory: outputDirectory, now: now))
    print("store: \(context.settings.store)")
    for id in result.unreadable { print("row \(id): unreadable, left in the store") }
    if result.outcomes.isEmpty { print("no rows waiting: nothing to send") }
    var deferred = 0
    for outcome in result.outcomes {
        let a = outcome.attempt
        // Text from mail and DNS: control characters as `?`, no terminal escapes.
        let text: (String) -> String = ControlCharacters.printable
        print("\(a.status.rawValue) \(text(a.policyDomain)) report_id=\(a.reportID) rows=\(outcome.rows) messages=\(a.messages) to=\(text(a.destinations.joined(separator: ","))) file=\(text(outcome.filename))")
        for note in outcome.notes { print("  \(text(note))") }
        if a.status == .deferred { deferred += 1 }
    }
    if !dryRun, keepDays > 0 {
        let purged = try store.purgeReported(before: now - keepDays * 86400)
        if purged > 0 { print("purged \(purged) reported rows older than \(keepDays) days") }
    }
    // Deferred reports are retried by the next run; say so in the status.
    exit(deferred > 0 && !dryRun ? 75 : 0)
} catch {
    ReportCommandContext.fail("dmarc_send_reports", "\(error)")
}
