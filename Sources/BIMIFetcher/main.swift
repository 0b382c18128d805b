#if canImport(Glibc)
import Glibc
#endif
import COpenSSL
import CTLS
import IPC
import MailAuth
import ProcessLog
import Sandbox
import SystemIO

// authmilter-bimi-fetch: the one process that fetches over HTTPS, for the
// BIMI handler (the indicator at `l=`, the VMC at `a=`; workers have no
// socket calls). Started by the master only when the BIMI handler is
// enabled, with its control channel (ChildDescriptor.master) and its
// settings on the command line (FetcherOptions); the master hands it one
// channel per worker (fd 7 in the worker). It has no resolver: the worker
// resolves each host through the DNS helper and sends the addresses.
// See docs/sandbox.md, "BIMI fetch helper".

let options = ChildStartup.helperOptions(role: "authmilter-bimi-fetch", usage: FetcherOptions.usage) { arguments throws(IPCError) in
    try FetcherOptions(arguments: arguments)
}
ChildLog.debugEnabled = options.debug

// The trust store is read now: after the filter no file can be opened.
let tls: TLSClientContext
do {
    tls = try TLSClientContext(extraCAFile: options.caFile)
} catch {
    ChildLog.critical("authmilter-bimi-fetch: \(error)")
    exit(1)
}

let notes: [String]
do {
    notes = try Sandbox.enter(role: .bimiFetcher, privileges: PrivilegeSettings(user: options.user, group: options.group)) {
        // What initialises lazily must run before seccomp: the clock,
        // poll, OpenSSL's configuration, providers and random seed.
        _ = monotonicSeconds()
        _ = poll(nil, 0, 0)
        // Certificate time checks go through glibc's localtime, which
        // reads /etc/localtime on first use.
        tzset()
        CryptoWarmUp.run()
        if let ssl = SSL_new(tls.context) { SSL_free(ssl) }
    }
} catch {
    ChildLog.critical("authmilter-bimi-fetch: cannot enter the sandbox: \(error)")
    exit(1)
}
for note in notes { ChildLog.notice(note) }
ChildLog.info("BIMI fetch helper ready: at most \(options.maximumFetches) fetches at once"
    + (options.caFile.map { ", also trusting \($0)" } ?? "") + (options.allowPrivateAddresses ? ", private addresses allowed" : ""))

FetcherServer(options: options, tls: tls).run()
