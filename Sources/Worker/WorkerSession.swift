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
        return session
    }
}
