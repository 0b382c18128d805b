#if canImport(Glibc)
import Glibc
#endif
import IPC
import MailAuth
import ProcessLog
import Sandbox
import SystemIO

// authmilter-scan: the scanner, the one process that talks to spamd for
// the SpamAssassin handler (workers have no socket calls). Started by the
// master, only when the handler is enabled, with its control channel
// (ChildDescriptor.master) and spamd's address on the command line
// (ScannerOptions); the master hands it one channel per worker. See
// docs/security.md, "SpamAssassin", and docs/sandbox.md.

let options = ChildStartup.helperOptions(role: "authmilter-scan", usage: ScannerOptions.usage) { arguments throws(HelperCommandLine.UsageError) in
    try ScannerOptions(arguments: arguments)
}
ChildLog.debugEnabled = options.debug

// The address is resolved once, before the sandbox (getaddrinfo reads
// /etc/hosts and may ask DNS). One that does not resolve makes every scan
// a temperror until the next start (a reload that changes it restarts us).
let target: Result<SpamdAddress, SpamdAddress.ResolveError>
if let path = options.socketPath {
    if let address = SpamdAddress.unixSocket(path) {
        target = .success(address)
    } else {
        target = .failure(SpamdAddress.ResolveError(host: path, reason: "not a unix socket path"))
    }
} else {
    target = SpamdAddress.resolve(host: options.host ?? "localhost", port: options.port)
}
if case .failure(let error) = target {
    ChildLog.error("scan: \(error): every scan fails until the scanner is restarted")
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
let shown: String
switch target {
case .success(let address): shown = address.description
case .failure(let error): shown = "none (\(error))"
}
ChildLog.info("scanner ready: spamd at \(shown), timeout \(options.timeout)s")

ScannerServer(target: target, timeout: options.timeout).run()
