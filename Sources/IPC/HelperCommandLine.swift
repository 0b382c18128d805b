#if canImport(Glibc)
import Glibc
#endif
import ProcessLog

/// The command line of a helper the master starts (`authmilter-dns`,
/// `authmilter-scan`): the options every helper takes (`--runas USER`,
/// `--rungroup GROUP`, `--ident NAME`, accepted and ignored since the
/// master prefixes our log lines with its ident, and `--debug`) are taken
/// here; `nextOption` hands the caller the others, one at a time.
public struct HelperCommandLine {
    public struct UsageError: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public private(set) var user: String?
    public private(set) var group: String?
    public private(set) var debug = false
    private let arguments: [String]
    private var index = 0

    public init(_ arguments: [String]) {
        self.arguments = arguments
    }

    /// The next option that is not a common one; nil at the end.
    public mutating func nextOption() throws(UsageError) -> String? {
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            switch argument {
            case "--runas": user = try value(argument)
            case "--rungroup": group = try value(argument)
            case "--ident": _ = try value(argument)
            case "--debug": debug = true
            default: return argument
            }
        }
        return nil
    }

    /// The value after `option`.
    public mutating func value(_ option: String) throws(UsageError) -> String {
        guard index < arguments.count else { throw UsageError("\(option) needs a value") }
        defer { index += 1 }
        return arguments[index]
    }
}

extension ChildStartup {
    /// How a helper begins: its options (`parse`; a usage error exits 2
    /// with the usage line), SIGPIPE ignored (every send uses MSG_NOSIGNAL;
    /// this covers stderr if the master is gone) and its control channel
    /// there.
    public static func helperOptions<Options>(role: String, usage: String,
                                              _ parse: ([String]) throws(HelperCommandLine.UsageError) -> Options) -> Options {
        let options: Options
        do {
            options = try parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            ChildLog.critical("\(role): \(error)")
            ChildLog.critical(usage)
            exit(2)
        }
        signal(SIGPIPE, SIG_IGN)
        requireDescriptors([.master], role: role)
        return options
    }
}
