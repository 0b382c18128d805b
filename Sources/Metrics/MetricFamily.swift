/// Every series family the daemon exports, known to the worker and the
/// master alike: a worker names a family by its one-byte code in a counter
/// delta (`MetricDelta`), never by text, so the master accepts only these
/// names, labels and kinds whatever a subverted worker sends. Names, help
/// texts and label names are the newest Perl release's (`register_metrics`
/// of `Handler.pm`, `Protocol/Milter.pm`, `Metric.pm` and each handler),
/// without the `authmilter_` prefix; `callbackDuration` is ours.
public enum MetricFamily: UInt8, CaseIterable, Sendable {
    // Counted by the workers, core.
    case connect = 1
    case callbackError = 2
    case timeMicroseconds = 3
    case mailProcessed = 4
    case callbackDuration = 5
    // Counted by the workers, one handler each.
    case authenticatedConnect = 20
    case localIPConnect = 21
    case trustedIPConnect = 22
    case spf = 23
    case dkim = 24
    case dkimSignatures = 25
    case dmarc = 26
    case arc = 27
    case iprev = 28
    case ptr = 29
    case senderID = 30
    case xGoogleDKIM = 31
    case alignedFrom = 32
    case sanitizeRemove = 33
    case size = 34
    case sizeHeaderBytes = 35
    case sizeBodyBytes = 36
    case blocker = 37
    case spamAssassin = 38
    case rspamd = 39
    case clamAV = 40
    // Kept by the master.
    case uptime = 100
    case processesWaiting = 101
    case processesProcessing = 102
    case forkedChildren = 103
    case reapedChildren = 104
    /// Perl's `dequeue_files_total{key,state}`: what the spool's deferred
    /// work holds now (a snapshot the spool sends; Perl counts its files).
    case dequeueFiles = 105
    /// Ours: the spool's dequeue runs by how they ended.
    case dequeueRuns = 106

    public enum Kind: String, Sendable { case counter, gauge, histogram }

    /// The name after `authmilter_`.
    public var name: String {
        switch self {
        case .connect: "connect_total"
        case .callbackError: "callback_error_total"
        case .timeMicroseconds: "time_microseconds_total"
        case .mailProcessed: "mail_processed_total"
        case .callbackDuration: "callback_duration_seconds"
        case .authenticatedConnect: "authenticated_connect_total"
        case .localIPConnect: "localip_connect_total"
        case .trustedIPConnect: "trustedip_connect_total"
        case .spf: "spf_total"
        case .dkim: "dkim_total"
        case .dkimSignatures: "dkim_signatures"
        case .dmarc: "dmarc_total"
        case .arc: "arc_total"
        case .iprev: "iprev_total"
        case .ptr: "ptr_total"
        case .senderID: "senderid_total"
        case .xGoogleDKIM: "xgoogledkim_total"
        case .alignedFrom: "alignedfrom_total"
        case .sanitizeRemove: "sanitize_remove_total"
        case .size: "size_total"
        case .sizeHeaderBytes: "size_header_bytes_total"
        case .sizeBodyBytes: "size_body_bytes_total"
        case .blocker: "blocker_total"
        case .spamAssassin: "spamassassin_total"
        case .rspamd: "rspamd_total"
        case .clamAV: "clamav_total"
        case .uptime: "uptime_seconds_total"
        case .processesWaiting: "processes_waiting"
        case .processesProcessing: "processes_processing"
        case .forkedChildren: "forked_children_total"
        case .reapedChildren: "reaped_children_total"
        case .dequeueFiles: "dequeue_files_total"
        case .dequeueRuns: "dequeue_runs_total"
        }
    }

    public var fullName: String { "authmilter_" + name }

    public var help: String {
        switch self {
        case .connect: "The number of connections made to authentication milter"
        case .callbackError: "The number of errors in callbacks"
        case .timeMicroseconds: "The time in microseconds spent in various handlers"
        case .mailProcessed: "Number of emails processed"
        case .callbackDuration: "The time in seconds all handlers together spent in one milter callback"
        case .authenticatedConnect: "The number of connections from an authenticated host"
        case .localIPConnect: "The number of connections from a local IP"
        case .trustedIPConnect: "The number of connections from a trusted IP"
        case .spf: "The number of emails processed for SPF"
        case .dkim: "The number of emails processed for DKIM"
        case .dkimSignatures: "The number of signatures processed for DKIM"
        case .dmarc: "The number of emails processed for DMARC"
        case .arc: "The number of emails processed for ARC"
        case .iprev: "The number of emails processed for IPRev"
        case .ptr: "The number of emails processed for PTR"
        case .senderID: "The number of emails processed for Sender ID"
        case .xGoogleDKIM: "The number of emails processed for X-Google-DKIM"
        case .alignedFrom: "The number of emails processed for AlignedFrom"
        case .sanitizeRemove: "The number Authentication Results headers removed"
        case .size: "The number of emails processed for Size"
        case .sizeHeaderBytes: "The header size of emails processed for Size"
        case .sizeBodyBytes: "The body size of emails processed for Size"
        case .blocker: "The number of emails processed by Blocker"
        case .spamAssassin: "The number of emails processed for SpamAssassin"
        case .rspamd: "The number of emails processed for RSpamD"
        case .clamAV: "The number of emails processed for ClamAV"
        case .uptime: "Number of seconds since server startup"
        case .processesWaiting: "The number of authentication milter processes in a waiting state"
        case .processesProcessing: "The number of authentication milter processes currently processing data"
        case .forkedChildren: "Total number of child processes forked"
        case .reapedChildren: "Total number of child processes reaped"
        case .dequeueFiles: "The number of dequeue files in the spool"
        case .dequeueRuns: "The number of dequeue runs of the spool, by how they ended"
        }
    }

    public var kind: Kind {
        switch self {
        case .callbackDuration: .histogram
        case .processesWaiting, .processesProcessing: .gauge
        default: .counter
        }
    }

    /// The labels a worker gives, in this order (`ident` is the master's).
    /// An empty value means the label is absent, as Perl omits a label it
    /// was not given (`dmarc_total{result="permerror"}` has no policy).
    public var labelNames: [String] {
        switch self {
        case .callbackError: ["stage"]
        case .timeMicroseconds: ["callback", "handler"]
        case .mailProcessed, .spf, .dkim, .arc, .iprev, .ptr, .senderID, .xGoogleDKIM, .alignedFrom,
             .spamAssassin, .rspamd, .clamAV:
            ["result"]
        case .callbackDuration: ["callback"]
        case .dkimSignatures: ["type", "result", "key_size", "key_type", "hash_algorithm", "canonicalization"]
        case .dmarc: ["result", "disposition", "policy", "is_list", "is_whitelisted", "arc_aware_result", "used_arc", "is_subdomain"]
        case .sanitizeRemove: ["header"]
        case .blocker: ["result", "id"]
        case .dequeueFiles: ["key", "state"]
        case .dequeueRuns: ["key", "result"]
        default: []
        }
    }

    /// `labelNames.count` without building the array (the delta writer
    /// asks for it per entry).
    public var labelCount: Int {
        switch self {
        case .timeMicroseconds, .blocker, .dequeueFiles, .dequeueRuns: 2
        case .dkimSignatures: 6
        case .dmarc: 8
        case .callbackError, .mailProcessed, .spf, .dkim, .arc, .iprev, .ptr, .senderID, .xGoogleDKIM, .alignedFrom,
             .spamAssassin, .rspamd, .clamAV, .callbackDuration, .sanitizeRemove:
            1
        default: 0
        }
    }

    /// The handler whose metrics these are (registered only when it is
    /// enabled, as Perl registers a handler's metrics when it loads it);
    /// nil for the core's.
    public var handler: String? {
        switch self {
        case .authenticatedConnect: "Auth"
        case .localIPConnect: "LocalIP"
        case .trustedIPConnect: "TrustedIP"
        case .spf: "SPF"
        case .dkim, .dkimSignatures: "DKIM"
        case .dmarc: "DMARC"
        case .arc: "ARC"
        case .iprev: "IPRev"
        case .ptr: "PTR"
        case .senderID: "SenderID"
        case .xGoogleDKIM: "XGoogleDKIM"
        case .alignedFrom: "AlignedFrom"
        case .sanitizeRemove: "Sanitize"
        case .size, .sizeHeaderBytes, .sizeBodyBytes: "Size"
        case .blocker: "Blocker"
        case .spamAssassin: "SpamAssassin"
        case .rspamd: "RSpamD"
        case .clamAV: "ClamAV"
        default: nil
        }
    }

    /// Whether a worker may report it (the rest are the master's own).
    public var countedByWorkers: Bool { rawValue < 100 }
}
