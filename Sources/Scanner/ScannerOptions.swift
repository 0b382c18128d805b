
/// The command line of `authmilter-scan`, which the master builds from the
/// SpamAssassin handler's block (`SpamAssassinSettings.scannerArguments`):
///
///     authmilter-scan (--spamd-host HOST --spamd-port PORT | --spamd-socket PATH)
///                     [--timeout SECONDS] [--runas USER] [--rungroup GROUP]
///                     [--ident NAME] [--debug]
///
/// `--spamd-host`/`--spamd-port` are `sa_host`/`sa_port`, `--spamd-socket`
/// is `sa_socket`, `--timeout` is `sa_timeout`; the others are
/// `HelperCommandLine`'s.
import IPC

struct ScannerOptions: Equatable {
    var host: String?
    var port: UInt16 = 783
    var socketPath: String?
    var timeout = 30.0
    var user: String?
    var group: String?
    var debug = false

    static let usage = "usage: authmilter-scan (--spamd-host HOST --spamd-port PORT | --spamd-socket PATH) [--timeout SECONDS] "
        + "[--runas USER] [--rungroup GROUP] [--ident NAME] [--debug]"

    init(arguments: [String]) throws(HelperCommandLine.UsageError) {
        var line = HelperCommandLine(arguments)
        while let argument = try line.nextOption() {
            switch argument {
            case "--spamd-host":
                host = try line.value(argument)
            case "--spamd-port":
                let text = try line.value(argument)
                guard let number = UInt16(text), number > 0 else { throw .init("--spamd-port \(text): not a port") }
                port = number
            case "--spamd-socket":
                socketPath = try line.value(argument)
            case "--timeout":
                let text = try line.value(argument)
                guard let seconds = Double(text), seconds > 0, seconds <= 3600 else { throw .init("--timeout \(text): not a number of seconds") }
                timeout = seconds
            default:
                throw .init("unknown argument \(argument)")
            }
        }
        guard (host == nil) != (socketPath == nil) else { throw .init("give either --spamd-host (with --spamd-port) or --spamd-socket") }
        user = line.user
        group = line.group
        debug = line.debug
    }
}
