struct BenchOptions {
    var host = "127.0.0.1"
    var port: UInt16 = 12345
    var messages = 2000
    var concurrency = 8
    var pidfile: String?
    var bodyBytes = 10_000
    /// Non-zero: BurstRun, this many connections at once.
    var burst = 0

    struct UsageError: Error, CustomStringConvertible { var description: String }

    static func parse(_ words: [String]) throws -> BenchOptions {
        var o = BenchOptions()
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < words.count else { throw UsageError(description: "\(words[i - 1]) needs a value") }
            return words[i]
        }
        while i < words.count {
            switch words[i] {
            case "--host": o.host = try value()
            case "--port": o.port = UInt16(try value()) ?? 0
            case "--messages": o.messages = Int(try value()) ?? 0
            case "--concurrency": o.concurrency = Int(try value()) ?? 1
            case "--pidfile": o.pidfile = try value()
            case "--body-bytes": o.bodyBytes = Int(try value()) ?? 0
            case "--burst": o.burst = Int(try value()) ?? 0
            default: throw UsageError(description: "unknown argument \(words[i])")
            }
            i += 1
        }
        guard o.port > 0, o.messages > 0, o.concurrency > 0 else { throw UsageError(description: "bad --port/--messages/--concurrency") }
        // Bounded: the bench runs on shared machines, against 127.0.0.1.
        guard (0...5000).contains(o.burst) else { throw UsageError(description: "--burst takes 0...5000 connections") }
        return o
    }
}
