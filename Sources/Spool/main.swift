#if canImport(Glibc)
import Glibc
#endif
import Config
import DMARCReports
import Handlers
import IPC
import ProcessLog
import Sandbox
import SystemIO

// The spool process: the only one allowed to write spool_dir, cache_dir and
// lib_dir. Started by the master with its control channel
// (ChildDescriptor.master); the first frame is the configuration, then the master passes it one channel per
// worker. Workers send it DMARC report rows: each goes to the journal in
// spool_dir (on disk first), then to the report store (SQLite under
// lib_dir, or PostgreSQL).

var arguments = SpoolArguments()
do {
    arguments = try SpoolArguments.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    ChildLog.critical("\(error)")
    exit(2)
}
ChildLog.debugEnabled = arguments.debug

let (master, serializedConfiguration) = ChildStartup.receiveConfiguration(role: "spool", receiving: MasterToHelper.self,
                                                                          configuration: .configuration)
var reports: ReportIntake?
var abusix: AbusixFeedSender?
var errorMail: ErrorMailSender?
var role = SandboxRole.spool
var schedule = DequeueSchedule(checkForDequeue: 60, dequeueTimeout: nil, maxDequeue: 5, now: monotonicSeconds())
do {
    let configuration = try Configuration(fromSerialized: serializedConfiguration)
    if let feed = try AbusixFeedSettings.enabled(in: configuration) { abusix = AbusixFeedSender(settings: feed) }
    // The hostname for the mail is read now: uname is not allowed later.
    var name = [CChar](repeating: 0, count: 256)
    let hostname = gethostname(&name, 255) == 0 ? String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
    errorMail = ErrorMailSender(configuration: configuration, hostname: hostname)
    // Error mail is delivered over SMTP: a stream socket and connect.
    if errorMail != nil { role = .spoolWithMailDelivery }
    let settings = try DMARCReportSettings(configuration: configuration, hostname: "localhost")
    schedule = DequeueSchedule(checkForDequeue: configuration.checkForDequeue, dequeueTimeout: configuration.dequeueTimeout,
                               maxDequeue: configuration.maxDequeue, now: monotonicSeconds())
    if settings.enabled {
        let spoolDir = arguments.spoolDir.isEmpty ? (configuration.spoolDir ?? ".") : arguments.spoolDir
        let journal = try ReportJournal(directory: spoolDir)
        let rejected = try? ReportJournal(directory: spoolDir, fileName: ReportJournal.rejectedFileName)
        reports = ReportIntake(journal: journal, location: settings.store, rejected: rejected)
        reports?.rowsPerRun = schedule.rowsPerRun
        reports?.runSeconds = schedule.timeoutSeconds
        // PostgreSQL's policy has the sockets error mail needs too.
        if case .postgresql = settings.store { role = .spoolWithDatabaseConnection }
    }
} catch {
    ChildLog.critical("spool: cannot start: \(error)")
    exit(1)
}
do {
    // The store is opened after the privilege drop (its files belong to
    // runas) and before the filter (its files and connection are opened
    // with calls the filter no longer allows to be made freely).
    let notes = try Sandbox.enter(role: role, privileges: PrivilegeSettings(user: arguments.runas, group: arguments.rungroup)) {
        reports?.start()
        // Its UDP sockets and resolved destinations: the filter allows
        // sendto on them but no new socket and no resolver.
        abusix?.openSockets()
    }
    for note in notes { ChildLog.info(note) }
} catch {
    ChildLog.critical("cannot enter the sandbox: \(error)")
    exit(1)
}
SpoolLoop(master: master, reports: reports, abusix: abusix, errorMail: errorMail,
          allowsNetwork: role == .spoolWithDatabaseConnection, schedule: schedule).run()
