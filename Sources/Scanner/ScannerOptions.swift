import IPC

/// The command line of `authmilter-scan`, which the master builds from the
/// enabled content-scanning handlers' blocks (`ContentScanners.scannerArguments`):
///
///     authmilter-scan [--spamd-host HOST --spamd-port PORT | --spamd-socket PATH] [--spamd-timeout SECONDS]
///                     [--rspamd-host HOST --rspamd-port PORT] [--rspamd-timeout SECONDS]
///                     [--clamd-host HOST --clamd-port PORT | --clamd-socket PATH] [--clamd-timeout SECONDS]
///                     [--runas USER] [--rungroup GROUP] [--ident NAME] [--debug]
///
/// spamd's are SpamAssassin's `sa_host`/`sa_port`/`sa_socket`/`sa_timeout`,
/// rspamd's RSpamD's `rs_host`/`rs_port`/`rs_timeout`, clamd's ClamAV's
/// `ca_host`/`ca_port`/`ca_name`/`ca_timeout`; at least one scanner. The
/// others are `HelperCommandLine`'s.
struct ScannerOptions: Equatable {
    /// One content scanner's address and time budget per scan.
    struct Target: Equatable {
        var host: String?
        var port: UInt16?
        var socketPath: String?
        var timeout = 30.0
    }

    var spamd: Target?
    var rspamd: Target?
    var clamd: Target?
    var user: String?
    var group: String?
    var debug = false

    static let usage = "usage: authmilter-scan [--spamd-host HOST --spamd-port PORT | --spamd-socket PATH] [--spamd-timeout SECONDS] "
        + "[--rspamd-host HOST --rspamd-port PORT] [--rspamd-timeout SECONDS] "
        + "[--clamd-host HOST --clamd-port PORT | --clamd-socket PATH] [--clamd-timeout SECONDS] "
        + "[--runas USER] [--rungroup GROUP] [--ident NAME] [--debug]"

    init(arguments: [String]) throws(IPCError) {
        var line = HelperCommandLine(arguments)
        var targets: [String: Target] = [:]
        while let argument = try line.nextOption() {
            let parts = argument.split(separator: "-", maxSplits: 3, omittingEmptySubsequences: true)
            guard argument.hasPrefix("--"), parts.count == 2, ["spamd", "rspamd", "clamd"].contains(parts[0]) else {
                throw .usage("unknown argument \(argument)")
            }
            let scanner = String(parts[0])
            var target = targets[scanner] ?? Target()
            let text = try line.value(argument)
            switch parts[1] {
            case "host":
                target.host = text
            case "port":
                guard let number = UInt16(text), number > 0 else { throw .usage("\(argument) \(text): not a port") }
                target.port = number
            case "socket" where scanner != "rspamd":
                target.socketPath = text
            case "timeout":
                guard let seconds = Double(text), seconds > 0, seconds <= 3600 else { throw .usage("\(argument) \(text): not a number of seconds") }
                target.timeout = seconds
            default:
                throw .usage("unknown argument \(argument)")
            }
            targets[scanner] = target
        }
        for (scanner, target) in targets {
            guard (target.host == nil) != (target.socketPath == nil) else {
                throw .usage("give either --\(scanner)-host (with --\(scanner)-port) or --\(scanner)-socket")
            }
            guard target.host == nil || target.port != nil else { throw .usage("--\(scanner)-host needs --\(scanner)-port") }
        }
        guard !targets.isEmpty else { throw .usage("no scanner given") }
        spamd = targets["spamd"]
        rspamd = targets["rspamd"]
        clamd = targets["clamd"]
        user = line.user
        group = line.group
        debug = line.debug
    }
}
