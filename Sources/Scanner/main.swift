#if canImport(Glibc)
import Glibc
#endif
import IPC
import MailAuth
import ProcessLog
import Sandbox
import SystemIO

// authmilter-scan: the scanner, the one process that talks to content
// scanners (spamd for the SpamAssassin handler, rspamd for RSpamD, clamd
// for ClamAV; workers have no socket calls). Started by the master, only
// when one of these handlers is enabled, with its control channel
// (ChildDescriptor.master) and the scanners' addresses on the command line
// (ScannerOptions); the master hands it one channel per worker. See
// docs/security.md, "SpamAssassin", and docs/sandbox.md.

let options = ChildStartup.helperOptions(role: "authmilter-scan", usage: ScannerOptions.usage) { arguments throws(IPCError) in
    try ScannerOptions(arguments: arguments)
}
ChildLog.debugEnabled = options.debug

// The addresses are resolved once, before the sandbox (getaddrinfo reads
// /etc/hosts and may ask DNS). One that does not resolve makes every scan
// for it a temperror until the next start (a reload that changes it
// restarts us).
let spamd = options.spamd.map { ScannerTarget(name: "spamd", options: $0) }
let rspamd = options.rspamd.map { ScannerTarget(name: "rspamd", options: $0) }
let clamd = options.clamd.map { ScannerTarget(name: "clamd", options: $0) }
for target in [spamd, rspamd, clamd].compactMap({ $0 }) {
    if case .failure(let error) = target.address {
        ChildLog.error("scan: \(target.name): \(error): every scan fails until the scanner is restarted")
    }
}

let notes: [String]
do {
    notes = try Sandbox.enter(role: .scanner, privileges: PrivilegeSettings(user: options.user, group: options.group)) {
        // What initialises lazily must run before seccomp: the clock,
        // poll, floating-point printing, number parsing.
        _ = monotonicSeconds()
        _ = poll(nil, 0, 0)
        _ = "\(Double(1.5))"
        _ = PerlNumber.value("1.5")
    }
} catch {
    ChildLog.critical("authmilter-scan: cannot enter the sandbox: \(error)")
    exit(1)
}
for note in notes { ChildLog.notice(note) }
ChildLog.info("scanner ready: " + [spamd, rspamd, clamd].compactMap { $0?.shown }.joined(separator: "; "))

ScannerServer(spamd: spamd, rspamd: rspamd, clamd: clamd).run()
