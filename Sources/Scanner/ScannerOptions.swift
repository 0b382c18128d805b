/// The command line of `authmilter-scan`, which the master builds from the
/// SpamAssassin handler's block (`SpamAssassinSettings.scannerArguments`):
///
///     authmilter-scan (--spamd-host HOST --spamd-port PORT | --spamd-socket PATH)
///                     [--timeout SECONDS] [--runas USER] [--rungroup GROUP]
///                     [--ident NAME] [--debug]
///
/// `--spamd-host`/`--spamd-port` are `sa_host`/`sa_port`, `--spamd-socket`
/// is `sa_socket`, `--timeout` is `sa_timeout`. `--ident` is accepted and
/// ignored: the master prefixes our log lines with its ident.
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

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    init(arguments: [String]) throws(UsageError) {
        var index = 0
        func value(_ option: String) throws(UsageError) -> String {
            index += 1
            guard index < arguments.count else { throw UsageError(description: "\(option) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "--spamd-host":
                host = try value(argument)
            case "--spamd-port":
                let text = try value(argument)
                guard let number = UInt16(text), number > 0 else { throw UsageError(description: "--spamd-port \(text): not a port") }
                port = number
            case "--spamd-socket":
                socketPath = try value(argument)
            case "--timeout":
                let text = try value(argument)
                guard let seconds = Double(text), seconds > 0, seconds <= 3600 else {
                    throw UsageError(description: "--timeout \(text): not a number of seconds")
                }
                timeout = seconds
            case "--runas":
                user = try value(argument)
            case "--rungroup":
                group = try value(argument)
            case "--ident":
                _ = try value(argument)
            case "--debug":
                debug = true
            default:
                throw UsageError(description: "unknown argument \(argument)")
            }
            index += 1
        }
        guard (host == nil) != (socketPath == nil) else {
            throw UsageError(description: "give either --spamd-host (with --spamd-port) or --spamd-socket")
        }
    }
}
