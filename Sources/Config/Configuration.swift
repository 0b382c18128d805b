/// The whole authentication_milter configuration, typed, with the Perl
/// milter's run-time defaults for every key that is absent.
///
/// Run-time defaults are what the Perl code does when a key is missing,
/// which is not always what its example configuration (`-h default_config`,
/// `Configuration.defaultGlobalJSON`) shows: a missing `tempfail_on_error`
/// is false, a missing `connect_timeout` means no timeout, a missing
/// `max_children` is 100. Sources: Mail::Milter::Authentication (`start`),
/// ::Handler, ::Resolver, ::Protocol::SMTP and ::Config.
import JSON

public struct Configuration: Sendable, Equatable {
    // MARK: Logging and errors
    public var debug = false
    public var dryrun = false
    /// Also write log lines to standard error.
    public var logtoerr = false
    /// Standard error and output are appended to this file.
    public var errorLog: String?
    /// Newer Perl releases' log format switches; kept for the logger, nil
    /// when absent.
    public var extendedLog: Bool?
    public var legacyLog: Bool?
    /// Send an email on unexpected errors and timeouts.
    public var errorsTo: String?
    public var errorsFrom: String?
    public var errorsHeaders: [ErrorEmailHeader] = []
    /// Ours: where the spool delivers the error mail, `host:port` (an IP
    /// literal, IPv6 in brackets); the local MTA by default. Perl runs
    /// the local sendmail binary, which a jailed process cannot.
    public var errorsSMTP = "127.0.0.1:25"
    /// Ours: at most one error mail per this many seconds; the reports in
    /// between are counted in the next mail.
    public var errorsInterval = 60
    /// Arguments the Perl milter passes to Log::Dispatchouli; kept as given.
    public var logDispatchouli: JSONObject?

    // MARK: Sockets and processes
    /// `connection` (required: the Perl milter dies without it).
    public var connection: ConnectionSpec
    public var umask: UInt16?
    /// Ours: the group a unix `connection` socket is given after binding
    /// (`socket_group`), so a chrooted Postfix in that group can reach it
    /// with `umask` "0007"; nil leaves the group the master's.
    public var socketGroup: String?
    /// `connections`, in file order.
    public var connections: [ListenerConfiguration] = []
    public var runas: String?
    public var rungroup: String?
    public var chroot: String?
    public var listenBacklog = 20
    public var minChildren = 20
    public var maxChildren = 100
    public var minSpareChildren = 10
    public var maxSpareChildren = 20
    public var maxRequestsPerChild = 200
    /// Not in the Perl milter (ours, docs/security.md "An exhausted pool"):
    /// how many accepted connections may wait for a busy pool's next free
    /// worker; 0 closes at once every connection no idle worker can take.
    public var connectionQueueSize = 100
    /// Seconds a connection may wait in that queue before the master
    /// closes it, so the MTA applies its milter_default_action at once.
    public var connectionQueueTimeout: Double = 1

    // MARK: Metrics
    public var metricConnection: ConnectionSpec?
    public var metricUmask: UInt16?
    /// Seconds.
    public var metricTimeout: Double = 5
    /// Shared metrics file; nil means `<lib_dir>/metrics`.
    public var metricTempfile: String?
    public var metricBasicHTTP = false
    /// Deprecated form of `metric_connection`.
    public var metricPort: Int?
    public var metricHost: String?

    // MARK: Directories
    /// nil: chosen at start-up (see `Configuration.fallbackDirectory`).
    public var cacheDir: String?
    public var spoolDir: String?
    public var libDir: String?
    public var lockFile: String?

    // MARK: Protocol
    public var serverProtocol: ServerProtocol = .milter
    public var milterQuarantine = false
    /// Accepted for compatibility; concerns Perl's Net::Server only.
    public var patchNetServer = false
    public var smtp = SMTPConfiguration()

    // MARK: Timeouts, seconds; nil means none
    public var connectTimeout: Double?
    public var commandTimeout: Double?
    public var contentTimeout: Double?
    public var dequeueTimeout: Double?
    public var addheaderTimeout: Double?
    /// Seconds between dequeue runs; 0 never runs them.
    public var checkForDequeue = 60
    /// `max_dequeue` (Perl 3.2022, default 5): how many dequeue processes
    /// Perl runs at once. One spool does the work here: the number of
    /// batches one dequeue run takes (`DequeueSchedule`).
    public var maxDequeue = 5

    // MARK: DNS
    /// Empty: use /etc/resolv.conf.
    public var dnsResolvers: [String] = []
    /// Seconds per lookup (Perl: `dns_timeout || 8`).
    public var dnsTimeout: Double = 8
    public var dnsRetry = 2
    /// Microseconds after which a SERVFAIL counts as a timeout.
    public var dnsServfailTimeout = 1_000_000
    /// `cache_dns_timeouts` (Perl 3.20240827, default on): once a lookup
    /// under an organisational domain timed out, later lookups under it on
    /// the same connection fail at once instead of waiting again.
    public var cacheDNSTimeouts = true

    // MARK: Authentication-Results
    /// nil: the MTA's `j` macro (milter) or `smtp.server_name` (smtp).
    public var authservID: String?
    public var hideNone = false
    public var headerIndentStyle: HeaderIndentStyle = .entry
    public var headerIndentBy = 4
    /// nil: no length-based folding.
    public var headerFoldAt: Int?

    // MARK: Error policy
    public var tempfailOnError = false
    public var tempfailOnErrorAuthenticated = false
    public var tempfailOnErrorLocal = false
    public var tempfailOnErrorTrusted = false

    // MARK: Remapping and extensions
    /// In match order (byte order of the keys, as Perl sorts them).
    public var ipMap: [IPMapEntry] = []
    /// Accepted but unsupported (a Perl module name); the loader warns.
    public var externalCallbackProcessor: String?

    // MARK: Handlers
    /// In file order; `authentication_milter.d` entries follow, sorted.
    public var handlers: [HandlerConfiguration] = []

    public init(connection: ConnectionSpec) {
        self.connection = connection
    }

    /// Every socket to listen on for mail: `connection` first, named
    /// `default`, then `connections`.
    public var listeners: [ListenerConfiguration] {
        [ListenerConfiguration(name: "default", connection: connection, umask: umask, socketGroup: socketGroup)] + connections
    }

    public var enabledHandlers: [HandlerConfiguration] { handlers.filter(\.enabled) }

    public func handler(named name: String) -> HandlerConfiguration? {
        handlers.first { $0.name == name }
    }

    /// Whether the metrics endpoint runs (Perl's `enabled`: either key).
    public var metricsEnabled: Bool { metricConnection != nil || metricPort != nil }

    /// Where the metrics endpoint listens: `metric_connection`, else the
    /// deprecated pair.
    public var effectiveMetricConnection: ConnectionSpec? { metricConnection ?? legacyMetricConnection }

    /// The deprecated metrics socket: `metric_host` (default 127.0.0.1) and
    /// `metric_port`, used only when `metric_connection` is absent.
    public var legacyMetricConnection: ConnectionSpec? {
        guard metricConnection == nil, let metricPort, let port = UInt16(exactly: metricPort) else { return nil }
        return .inet(port: port, host: metricHost ?? "127.0.0.1")
    }
}
