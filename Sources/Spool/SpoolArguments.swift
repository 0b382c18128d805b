/// authmilter-spool's command line, written by the master.
struct SpoolArguments {
    var spoolDir = ""
    var runas: String?
    var rungroup: String?
    var debug = false

    struct UsageError: Error, CustomStringConvertible { var description: String }

    static func parse(_ words: [String]) throws -> SpoolArguments {
        var result = SpoolArguments()
        var index = 0
        func value() throws -> String {
            index += 1
            guard index < words.count else { throw UsageError(description: "\(words[index - 1]) needs a value") }
            return words[index]
        }
        while index < words.count {
            switch words[index] {
            case "--spool-dir": result.spoolDir = try value()
            case "--runas": result.runas = try value()
            case "--rungroup": result.rungroup = try value()
            case "--ident": _ = try value()
            case "--debug": result.debug = true
            default: throw UsageError(description: "unknown argument \(words[index])")
            }
            index += 1
        }
        return result
    }
}
