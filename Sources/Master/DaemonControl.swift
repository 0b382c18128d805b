#if canImport(Glibc)
import Glibc
#endif
import IPC
import MasterSupport
import SystemIO

/// `-c start|restart|stop|status`: finds the running master through the
/// pidfile, or the process list when the pidfile holds nothing valid.
struct DaemonControl {
    let options: CommandLineOptions

    func say(_ text: String) {
        var bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress, $0.count) }
    }

    var name: String { options.logIdent }

    func run(_ command: CommandLineOptions.Control) -> Int32 {
        switch command {
        case .status: return status()
        case .stop: return stop()
        case .start: return start()
        case .restart:
            let stopped = stop()
            if stopped != 0 && stopped != 1 { return stopped }
            return start()
        case .check:
            return ConfigurationCheckCommand.run(options)
        }
    }

    func status() -> Int32 {
        let (pid, stale) = PidFile.findMaster(pidfile: options.pidfile, ident: options.ident)
        if let stale, pid == nil { say("\(name): stale pidfile \(options.pidfile) (\(staleReason(stale)))") }
        if let pid {
            say("\(name) is running with pid \(pid)")
            return 0
        }
        say("\(name) is not running")
        return 3
    }

    /// Why the pidfile's pid is not taken: a master of another instance
    /// (its ident or pidfile differ) is never signalled.
    func staleReason(_ pid: pid_t) -> String {
        PidFile.isRunningMaster(pid) ? "pid \(pid) is the master of another instance, left alone" : "pid \(pid) is not running"
    }

    /// The control command does not read the configuration: directories
    /// on the way to the pidfile may belong to root or to ourselves.
    var safePath: SafePath { SafePath(trustedUID: geteuid()) }

    /// Returns 0 when it stopped a master, 1 when none was running.
    func stop() -> Int32 {
        let (found, stale) = PidFile.findMaster(pidfile: options.pidfile, ident: options.ident)
        guard let pid = found else {
            if let stale {
                say("\(name): stale pidfile \(options.pidfile) (\(staleReason(stale)))")
                PidFile.remove(options.pidfile, safePath: safePath)
            }
            say("\(name) is not running")
            return 1
        }
        guard kill(pid, SIGTERM) == 0 else {
            MasterMain.printError("cannot signal pid \(pid): \(SystemIOError.text(for: errno))")
            return 4
        }
        // Wait for the master and its children to go (it waits up to 10 s
        // for busy workers); after 30 s, force it.
        let deadline = monotonicSeconds() + 30
        while PidFile.isRunningMaster(pid) && monotonicSeconds() < deadline { usleep(50_000) }
        if PidFile.isRunningMaster(pid) {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            usleep(200_000)
        }
        if PidFile.read(options.pidfile) == pid { PidFile.remove(options.pidfile, safePath: safePath) }
        say("\(name) stopped (pid \(pid))")
        return 0
    }

    func start() -> Int32 {
        let (pid, _) = PidFile.findMaster(pidfile: options.pidfile, ident: options.ident)
        if let pid {
            say("\(name) is already running with pid \(pid)")
            return 1
        }
        // Control implies --daemon. The parent of the detach returns
        // through exit(0) inside am_daemonize once the child is on its way;
        // errors before that (configuration, bind) are printed here.
        return MasterMain.startMaster(options: options, daemon: true)
    }
}
