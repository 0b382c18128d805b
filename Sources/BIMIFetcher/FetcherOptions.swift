import IPC

/// The command line of `authmilter-bimi-fetch`, which the master builds
/// from the BIMI handler's block (`BIMIFetchSettings.fetcherArguments`):
///
///     authmilter-bimi-fetch [--ca-file PATH] [--allow-private-addresses] [--max-fetches N]
///                           [--runas USER] [--rungroup GROUP] [--ident NAME] [--debug]
///
/// `--ca-file` (`https_ca_file`) is trusted for HTTPS beside the system
/// bundle; `--allow-private-addresses` (`https_allow_private_addresses`,
/// off by default: tests on loopback need it) lets it connect to loopback
/// and private addresses; `--max-fetches` (`fetch_concurrency`) is the one
/// global cap on fetches in flight. The others are `HelperCommandLine`'s.
struct FetcherOptions: Equatable {
    var caFile: String?
    var allowPrivateAddresses = false
    var maximumFetches = 4
    var user: String?
    var group: String?
    var debug = false

    static let usage = "usage: authmilter-bimi-fetch [--ca-file PATH] [--allow-private-addresses] [--max-fetches N] "
        + "[--runas USER] [--rungroup GROUP] [--ident NAME] [--debug]"

    init(arguments: [String]) throws(IPCError) {
        var line = HelperCommandLine(arguments)
        while let argument = try line.nextOption() {
            switch argument {
            case "--ca-file":
                caFile = try line.value(argument)
            case "--allow-private-addresses":
                allowPrivateAddresses = true
            case "--max-fetches":
                let text = try line.value(argument)
                guard let number = Int(text), (1...256).contains(number) else { throw .usage("--max-fetches \(text): not 1-256") }
                maximumFetches = number
            default:
                throw .usage("unknown argument \(argument)")
            }
        }
        user = line.user
        group = line.group
        debug = line.debug
    }
}
