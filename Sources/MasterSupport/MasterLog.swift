#if canImport(Glibc)
import Glibc
#endif
import CShim
import Logging
import MailAuth
import ProcessLog

/// The master's log: syslog (mail facility) with the ident, plus stderr when
/// running in the foreground or with `logtoerr`. Children's lines arrive
/// through their stderr pipes and are re-logged here with their role and
/// pid, so one place decides where logs go.
public struct MasterLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let toStderr: Bool
    let toSyslog: Bool

    public init(level: Logger.Level, toStderr: Bool, toSyslog: Bool) {
        self.logLevel = level
        self.toStderr = toStderr
        self.toSyslog = toSyslog
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let text = Self.text(event.message)
        if toSyslog { am_syslog(Self.priority(event.level), text) }
        if toStderr {
            let line = "\(MasterLog.ident)[\(getpid())]: \(event.level): \(text)\n"
            var bytes = Array(line.utf8)
            _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
        }
    }

    /// What is logged of a message: every line the milter logs passes
    /// here (its own and those relayed from children), so this is where
    /// control characters from mail and SMTP input are neutralised for
    /// syslog and stderr alike.
    static func text(_ message: Logger.Message) -> String {
        ControlCharacters.loggable(message.description)
    }

    static func priority(_ level: Logger.Level) -> Int32 {
        switch level {
        case .trace, .debug: return LOG_DEBUG
        case .info: return LOG_INFO
        case .notice: return LOG_NOTICE
        case .warning: return LOG_WARNING
        case .error: return LOG_ERR
        case .critical: return LOG_CRIT
        }
    }
}

public enum MasterLog {
    nonisolated(unsafe) public static var ident = "authentication_milter"
    nonisolated(unsafe) public static var logger = Logger(label: "authentication_milter")

    /// Where syslog(3) sends: the local syslog daemon's socket.
    public static let syslogSocketPath = "/dev/log"

    /// Whether `path` is a socket a syslog daemon listens on. Without one
    /// (a container or host with no syslog daemon) glibc's syslog(3) opens
    /// a socket, fails to connect and closes it again for every line: five
    /// wasted system calls a line, at least one line a message (issue 12).
    public static func syslogSocketExists(at path: String = syslogSocketPath) -> Bool {
        // stat, not lstat: systemd's /dev/log is a link to the journal's
        // socket. Nothing is opened here; syslog(3) follows it the same.
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFSOCK
    }

    /// Sets up the process-wide logger once; later calls only change the
    /// destination flags (a reload may switch `debug`/`logtoerr`). Syslog
    /// is used while its socket exists, looked at again at each reload
    /// (SIGHUP) and every minute while missing (`recheckSyslogSocket`);
    /// without it a line goes to stderr (and `error_log`) only, and the
    /// first configuration says so there.
    public static func configure(ident: String, debug: Bool, toStderr: Bool, toSyslog: Bool = true,
                                 syslogSocketPath: String = syslogSocketPath) {
        self.ident = ident
        let syslog = toSyslog && syslogSocketExists(at: syslogSocketPath)
        configured = (debug, toStderr, toSyslog && !syslog, syslogSocketPath)
        if syslog { am_openlog(ident, LOG_MAIL) }
        logger = Logger(label: ident) { _ in
            MasterLogHandler(level: debug ? .debug : .info, toStderr: toStderr, toSyslog: syslog)
        }
        if toSyslog && !syslog && !reportedMissingSyslog {
            reportedMissingSyslog = true
            logger.warning("no syslog socket at \(syslogSocketPath): logging to stderr and error_log only (looked at again every minute)")
        }
    }
    nonisolated(unsafe) static var reportedMissingSyslog = false
    /// The last configuration, and whether syslog was wanted but missing.
    nonisolated(unsafe) static var configured: (debug: Bool, toStderr: Bool, waitingForSyslog: Bool, path: String)?
    nonisolated(unsafe) static var nextSyslogCheck = 0.0
    /// How often the master looks for a syslog daemon that was missing.
    public static let syslogRecheckSeconds = 60.0

    /// Called from the master's loop: a syslog daemon that starts after us
    /// (a boot order without systemd) is used from the next check on.
    public static func recheckSyslogSocket(now: Double) {
        guard let configured, configured.waitingForSyslog, now >= nextSyslogCheck else { return }
        nextSyslogCheck = now + syslogRecheckSeconds
        guard syslogSocketExists(at: configured.path) else { return }
        configure(ident: ident, debug: configured.debug, toStderr: configured.toStderr, toSyslog: true,
                  syslogSocketPath: configured.path)
        logger.info("syslog socket at \(configured.path) found: logging to syslog")
    }

    /// Re-logs one line a child wrote to its stderr.
    public static func relay(role: String, pid: pid_t, line: String) {
        let (level, text) = ChildLog.parse(line)
        let message: Logger.Message = "\(role)[\(pid)]: \(text)"
        switch level {
        case .debug: logger.debug(message)
        case .info: logger.info(message)
        case .notice: logger.notice(message)
        case .warning: logger.warning(message)
        case .error: logger.error(message)
        case .critical: logger.critical(message)
        }
    }
}
