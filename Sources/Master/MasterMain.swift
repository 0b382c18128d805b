#if canImport(Glibc)
import Glibc
#endif
import CShim
import Config
import DMARCReports
import Handlers
import MasterSupport
import SystemIO

/// The `authentication_milter` command: help, daemon control, or the
/// master process itself.
enum MasterMain {
    static func run(_ arguments: [String]) -> Int32 {
        // `genkey` and `testkey` (ours) before the Perl command line.
        do {
            if let keyOptions = try KeyCommandOptions.parse(arguments) { return KeyCommand.run(keyOptions) }
        } catch {
            printError("\(error)\n\(KeyCommandOptions.usage)")
            return 2
        }
        let options: CommandLineOptions
        do {
            options = try CommandLineOptions.parse(arguments)
        } catch {
            printError("\(error)\nError in command line arguments")
            return 2
        }
        if let topic = options.help {
            return HelpOutput.show(topic: topic)
        }
        if options.control == .check {
            return ConfigurationCheckCommand.run(options)
        }
        if let control = options.control {
            return DaemonControl(options: options).run(control)
        }
        return startMaster(options: options, daemon: options.daemon)
    }

    static func printError(_ text: String) {
        var bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// In the foreground logs also go to the terminal; a daemon writes to
    /// stderr (error_log) only with `logtoerr`.
    static func logsToStderr(_ c: Configuration, daemon: Bool) -> Bool {
        c.logtoerr || !daemon
    }

    /// Loads and checks the configuration: start-up refuses a bad one with
    /// the file, position and reason.
    static func loadConfiguration(_ options: CommandLineOptions) -> Configuration? {
        do {
            let (configuration, warnings) = try ConfigurationLoader.load(prefix: options.prefix)
            for warning in warnings + HandlerRegistry.warnings(configuration) { printError("warning: \(warning)") }
            try HandlerRegistryCheck.validate(configuration)
            return configuration
        } catch {
            printError("authentication_milter: configuration refused: \(error)")
            return nil
        }
    }

    static func startMaster(options: CommandLineOptions, daemon: Bool) -> Int32 {
        guard var configuration = loadConfiguration(options) else { return 1 }
        resolveDirectories(&configuration, options: options)
        let (running, _) = PidFile.findMaster(pidfile: options.pidfile, ident: options.ident)
        if let running {
            printError("authentication_milter is already running with pid \(running)")
            return 1
        }
        // Who the children run as: their directories are given to that
        // account, and it is the one user besides root trusted to own the
        // directories on the way to any file the master touches.
        let owner: (uid: uid_t, gid: gid_t)?
        do {
            owner = try MasterPrivileges.childIDs(configuration)
        } catch {
            printError("authentication_milter: runas: \(error)")
            return 1
        }
        let safePath = SafePath(trustedUID: owner?.uid ?? geteuid())
        // The directories and the error log, while still attached to the
        // terminal: an unsafe path (a planted link, a directory others
        // may write) stops start-up here, with the path and the reason.
        var errorLogFD: Int32 = -1
        var notes: [String] = []
        do {
            try prepareDirectories(configuration, owner: owner, safePath: safePath)
            if let errorLog = configuration.errorLog {
                do {
                    errorLogFD = try safePath.openForAppend(errorLog)
                } catch {
                    // A failed call is not a safety matter (no permission
                    // as a user, say): no error log, as before.
                    guard !error.isRefusal else { throw MasterError.path(key: "error_log", error) }
                    notes.append("cannot open error_log: \(error)")
                }
            }
        } catch {
            printError("authentication_milter: \(error)")
            return 1
        }
        // Bind first, while still root and still attached to the terminal,
        // so a port in use is reported to whoever started us.
        var listeners: [ListenerSocket] = []
        do {
            for listener in configuration.listeners {
                listeners.append(try ListenerSocket.bind(name: listener.name, connection: listener.connection,
                                                         umask: listener.umask.map { mode_t($0) },
                                                         backlog: configuration.listenBacklog, safePath: safePath,
                                                         group: listener.socketGroup))
            }
            // The metrics endpoint: bound now too (a privileged port, a
            // socket in a root-owned directory), served by the master.
            if let spec = configuration.effectiveMetricConnection {
                listeners.append(try ListenerSocket.bind(name: "metric_connection", connection: spec,
                                                         umask: configuration.metricUmask.map { mode_t($0) },
                                                         backlog: 16, safePath: safePath))
            }
        } catch {
            printError("authentication_milter: \(error)")
            return 1
        }
        // The starting process waits for this word (see am_daemonize_wait).
        var readyFD: Int32 = -1
        if daemon {
            let keep = listeners.map(\.fd) + (errorLogFD >= 0 ? [errorLogFD] : [])
            guard keep.withUnsafeBufferPointer({ am_daemonize_wait($0.baseAddress, Int32(keep.count), &readyFD) }) == 0 else {
                printError("authentication_milter: cannot detach: \(SystemIOError.text(for: errno))")
                return 1
            }
        }
        // lock_file: held by the master while it runs (after detaching, so
        // the daemon holds it, not the process that started it).
        if let lockFile = configuration.lockFile {
            switch InstanceLockFile.acquire(lockFile, safePath: safePath) {
            case .held: break
            case .heldElsewhere:
                notes.append("lock_file \(lockFile) is held by another process (an instance sharing it?); running anyway")
            case .failed(let reason):
                notes.append("cannot lock lock_file \(lockFile): \(reason)")
            }
        }
        // The pidfile is written before stderr goes to the error log, so a
        // refusal still reaches whoever started us (`-c start` included).
        _ = am_set_process_name(PidFile.masterProcessName)
        do {
            try PidFile.write(options.pidfile, pid: getpid(), safePath: safePath)
        } catch {
            // An unsafe place stops start-up; a failed call is a warning
            // (the pidfile is a convenience: `-c` also finds the master
            // in the process list).
            if error.isRefusal {
                printError("authentication_milter: pidfile: \(error)")
                return 1
            }
            notes.append("cannot write pidfile \(options.pidfile): \(error)")
        }
        if errorLogFD >= 0 {
            dup2(errorLogFD, 2)
            close(errorLogFD)
        } else if daemon && isatty(2) == 0 {
            // A daemon must not hold the pipe of whoever started it (a
            // script capturing `-c start`'s output would wait for ever):
            // without error_log and without a terminal, stderr goes to
            // /dev/null; the log still goes to syslog.
            let fd = open("/dev/null", O_WRONLY | O_CLOEXEC)
            if fd >= 0 { dup2(fd, 2); close(fd) }
        }
        MasterLog.configure(ident: options.logIdent, debug: configuration.debug, toStderr: logsToStderr(configuration, daemon: daemon))
        let log = MasterLog.logger
        for note in notes { log.warning("\(note)") }
        if let warning = MasterPrivileges.defaultAccountWarning(configuration) { log.warning("\(warning)") }
        let signalFD = am_signalfd_setup()
        guard signalFD >= 0 else {
            log.critical("\(SystemIOError.last("signalfd"))")
            PidFile.remove(options.pidfile, safePath: safePath)
            return 1
        }
        do {
            for note in try MasterPrivileges.drop(configuration) { log.info("\(note)") }
        } catch {
            log.critical("cannot drop privileges: \(error)")
            PidFile.remove(options.pidfile, safePath: safePath)
            return 1
        }
        // Running: the pidfile is written and the process renamed, so
        // `-c status` finds us from now on.
        am_daemon_ready(readyFD)
        log.info("authentication_milter started, pid \(getpid()), listening on \(listeners.map { $0.spec }.joined(separator: ", "))")
        // The last listener is the metrics endpoint's when there is one.
        var metricsEndpoint: MetricsEndpoint?
        if configuration.effectiveMetricConnection != nil, let endpoint = listeners.popLast() {
            metricsEndpoint = MetricsEndpoint(listener: endpoint, timeoutSeconds: configuration.metricTimeout)
            log.info("metrics endpoint on \(endpoint.spec)")
        }
        let server = MasterServer(configuration: configuration, options: options, listeners: listeners,
                                  binaryDirectory: executableDirectory(), signalFD: signalFD, daemon: daemon,
                                  metricsEndpoint: metricsEndpoint)
        server.run()
        PidFile.remove(options.pidfile, safePath: safePath)
        log.info("authentication_milter stopped")
        return 0
    }

    /// Unset cache_dir, lib_dir and spool_dir get the Perl program's
    /// fallback locations.
    static func resolveDirectories(_ c: inout Configuration, options: CommandLineOptions) {
        c.resolveUnsetDirectories(ident: options.logIdent)
    }

    /// The files the spool creates in its directories: given to the
    /// children's account with the directory, so a change of runas between
    /// runs does not leave the report store or the journal to the old one.
    static let filesInDirectory: [ConfigDirectory: [String]] = [
        .lib: ["", "-journal", "-wal", "-shm"].map { DMARCReportStoreLocation.defaultFileName + $0 },
        .spool: [ReportJournal.fileName, ReportJournal.rejectedFileName],
    ]

    /// spool_dir, cache_dir and lib_dir exist and belong to the children's
    /// account before the drop, so the spool can write them afterwards;
    /// made, checked and re-owned only through SafePath (no link followed,
    /// no directory on the way that someone else may write).
    static func prepareDirectories(_ c: Configuration, owner: (uid: uid_t, gid: gid_t)?, safePath: SafePath) throws(MasterError) {
        for kind in [ConfigDirectory.spool, .cache, .lib] {
            guard let dir = c.configuredDirectory(kind), !dir.isEmpty else { continue }
            do {
                try safePath.prepareDirectory(dir, owner: owner, files: filesInDirectory[kind] ?? [])
            } catch {
                throw MasterError.path(key: kind.rawValue + "_dir", error)
            }
        }
    }

    /// Where our sibling executables (worker, DNS helper, spool) live.
    static func executableDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return "." }
        let path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return String(path[..<slash])
    }
}

/// Start-up and reload checks beyond the configuration's own: every
/// enabled handler is installed and accepts its configuration, and what
/// the children will need exists, so a bad value stops start-up (or is
/// refused at reload) instead of leaving children that die and restart
/// for ever.
enum HandlerRegistryCheck {
    /// The workers chroot into it as root (they skip it otherwise).
    static func checkChroot(_ configuration: Configuration) throws(MasterError) {
        guard let path = configuration.chroot, geteuid() == 0 else { return }
        var info = stat()
        guard stat(path, &info) == 0 else { throw MasterError.chroot(path: path, reason: BoundedFileReader.reason(errno)) }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw MasterError.chroot(path: path, reason: "not a directory") }
    }

    static func validate(_ configuration: Configuration, binaryDirectory: String = MasterMain.executableDirectory()) throws {
        try checkChroot(configuration)
        let allowTest = getenv("AUTHMILTER_ALLOW_TEST_HANDLERS").map { String(cString: $0) } == "1"
        for handler in configuration.enabledHandlers where !allowTest {
            if HandlerRegistry.testOnly.contains(where: { $0.name == handler.name }) {
                throw HandlerError.testOnly(handler.name)
            }
        }
        // Handler names and order without building one (that is the child's).
        try HandlerRegistry.checkNames(configuration)
        try ConfigurationCheckChild.run(configuration, binaryDirectory: binaryDirectory)
        // The report settings the spool will read: a bad report_store or
        // report_org_email stops start-up (or a reload) here, with its
        // position, instead of failing in the spool later.
        _ = try DMARCReportSettings(configuration: configuration, hostname: "localhost")
    }
}
