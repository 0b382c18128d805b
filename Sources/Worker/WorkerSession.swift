#if canImport(Glibc)
import Glibc
#endif
import Handlers
import IPC
import MailAuth
import ProcessLog

extension WorkerProcess {
    /// The session of one MTA connection (milter or SMTP mode), wired to
    /// the worker's resolver, spool, scanner, Blocker rules and metrics.
    func makeSession() -> MailSession {
        // cache_dns_timeouts: a domain whose lookup timed out is not asked
        // again on this connection (the Perl resolver's per-connection
        // error cache, keyed by organisational domain when DMARC's public
        // suffix list is loaded).
        let organizationalDomain = HandlerPeers(handlers).first(SPFHandler.self)?.organizationalDomain
        let resolver = DNSTimeoutHold(base: resolver, isEnabled: configuration.cacheDNSTimeouts,
                                      organizationalDomain: organizationalDomain ?? { $0 },
                                      log: { ChildLog.debug($0) })
        let session = MailSession(resolver: resolver)
        let spool = self.spool
        session.reportRowSink = { spool.submit($0) }
        session.spamScanner = scanner
        session.rspamdScanner = scanner
        session.clamdScanner = scanner
        session.bimiFetcher = bimiFetcher
        session.blockerRules = blockerRules
        session.metrics = metrics
        session.abusixRecordSink = { spool.submit($0) }
        // errors_to: the connection's trace is kept, and its unexpected
        // errors go to the spool as one report when it ends.
        if configuration.errorsTo != nil {
            session.keepsTrace = true
            session.unexpectedErrorSink = { errors, queueID, trace in
                let timedOut = errors.contains { $0.isTimeout }
                spool.submit(ErrorReport(kind: timedOut ? .timeout : .handlerError, text: errors.map(\.text).joined(separator: "\n"),
                                         role: "worker", pid: getpid(), queueID: queueID, trace: trace))
            }
        }
        return session
    }

    /// With `errors_to`, before a stage under the hard deadline: the report
    /// the stage alarm sends the spool if the stage is cut (a signal
    /// handler cannot build one), rebuilt only when the connection, the
    /// stage, the trace or the queue id changed.
    func prepareStageReport(stage: String, seconds: Double, session: MailSession, listener: String) {
        guard session.keepsTrace else { return }
        let queueID = session.macro("i") ?? ""
        StageAlarm.prepareReport(key: "\(served) \(stage) \(session.trace.generation) \(queueID)", spool: spool.fd) {
            let text = "\(stage) callbacks timed out after \(seconds)s on \(listener): the worker was stopped"
            return SpoolClient.frame(ErrorReport(kind: .timeout, text: text, role: "worker", pid: getpid(),
                                                 queueID: queueID, trace: session.trace.lines))
        }
    }
}
