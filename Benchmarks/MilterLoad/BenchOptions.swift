import MilterClient

struct BenchOptions {
    /// What the invocation does.
    enum Mode {
        /// Replay messages (the built-in one, or `--mix`) and measure.
        case load
        /// `--burst N`: N connections at once (BurstRun).
        case burst
        /// `--generate-mix DIR`: write a mix, its zone and keys (MixGenerator).
        case generateMix(String)
        /// `--table FILE`: the configurations table of a results file.
        case table(String)
        /// `--scaling-table FILE`: the scaling table of a results file.
        case scalingTable(String)
        /// `--floor MIXDIR --speed FILE`: the public-key floor of a mix.
        case floor(mix: String, speed: String)
    }

    var mode = Mode.load
    var host = "127.0.0.1"
    var port: UInt16 = 12345
    /// The milters each message goes through, in order (`--socket`,
    /// `--chain`; else `--host`/`--port`).
    var chain: [MilterClientEndpoint] = []
    var messages = 2000
    var concurrency = 8
    var pidfile: String?
    /// `--pids`: roots of the CPU accounting other than our master.
    var pids: [Int32] = []
    /// `--side-pids`: processes measured beside the total, not in it (the
    /// resolver both sides use).
    var sidePids: [Int32] = []
    var bodyBytes = 10_000
    /// Non-zero: BurstRun, this many connections at once.
    var burst = 0
    var mix: String?
    var label = "run"
    var group: String?
    var param: Double?
    var resultsFile: String?
    /// Methods whose A-R results are compared with the mix's.
    var check: [String] = []
    /// `--smtp`: the endpoints are the daemon in SMTP mode.
    var smtp = false
    var showHeaders = 0
    var mixSize = 140
    var dkimSignatures: Int?
    var arcHops: Int?
    var ratios: [(ours: String, theirs: String)] = []
    var speedFile: String?

    struct UsageError: Error, CustomStringConvertible { var description: String }

    /// The milters a load run talks to.
    var endpoints: [MilterClientEndpoint] { chain.isEmpty ? [.tcp(host: host, port: port)] : chain }

    static func parse(_ words: [String]) throws -> BenchOptions {
        var o = BenchOptions()
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < words.count else { throw UsageError(description: "\(words[i - 1]) needs a value") }
            return words[i]
        }
        func number(_ word: String) throws -> Int {
            guard let n = Int(word), n >= 0 else { throw UsageError(description: "\(words[i - 1]) takes a number, not '\(word)'") }
            return n
        }
        func endpoint(_ word: String) throws -> MilterClientEndpoint {
            guard let e = MilterClientEndpoint.parse(word) else { throw UsageError(description: "not a milter socket: '\(word)'") }
            return e
        }
        var floorMix: String?
        while i < words.count {
            switch words[i] {
            case "--host": o.host = try value()
            case "--port": o.port = UInt16(try value()) ?? 0
            case "--socket": o.chain = [try endpoint(try value())]
            case "--chain": o.chain = try (try value()).split(separator: ",").map { try endpoint(String($0)) }
            case "--messages": o.messages = try number(try value())
            case "--concurrency": o.concurrency = try number(try value())
            case "--pidfile": o.pidfile = try value()
            case "--pids": o.pids = try (try value()).split(separator: ",").map { Int32(try number(String($0))) }
            case "--side-pids": o.sidePids = try (try value()).split(separator: ",").map { Int32(try number(String($0))) }
            case "--body-bytes": o.bodyBytes = try number(try value())
            case "--burst": o.burst = try number(try value()); o.mode = .burst
            case "--mix": o.mix = try value()
            case "--label": o.label = try value()
            case "--group": o.group = try value()
            case "--param": o.param = Double(try number(try value()))
            case "--results": o.resultsFile = try value()
            case "--check": o.check = (try value()).split(separator: ",").map(String.init)
            case "--smtp": o.smtp = true
            case "--show-headers": o.showHeaders = try number(try value())
            case "--generate-mix": o.mode = .generateMix(try value())
            case "--mix-size": o.mixSize = try number(try value())
            case "--dkim-signatures": o.dkimSignatures = try number(try value())
            case "--arc-hops": o.arcHops = try number(try value())
            case "--table": o.mode = .table(try value())
            case "--scaling-table": o.mode = .scalingTable(try value())
            case "--ratio":
                let pair = (try value()).split(separator: ":").map(String.init)
                guard pair.count == 2 else { throw UsageError(description: "--ratio takes OURS:THEIRS (two labels)") }
                o.ratios.append((pair[0], pair[1]))
            case "--floor": floorMix = try value()
            case "--speed": o.speedFile = try value()
            default: throw UsageError(description: "unknown argument \(words[i])")
            }
            i += 1
        }
        if let floorMix {
            guard let speed = o.speedFile else { throw UsageError(description: "--floor needs --speed FILE (openssl speed output)") }
            o.mode = .floor(mix: floorMix, speed: speed)
        }
        guard o.port > 0, o.messages > 0, o.concurrency > 0 else { throw UsageError(description: "bad --port/--messages/--concurrency") }
        // Bounded: the bench runs on shared machines, against 127.0.0.1.
        guard (0...5000).contains(o.burst) else { throw UsageError(description: "--burst takes 0...5000 connections") }
        guard (1...100_000).contains(o.mixSize) else { throw UsageError(description: "--mix-size takes 1...100000 messages") }
        guard o.bodyBytes <= 50_000_000 else { throw UsageError(description: "--body-bytes takes at most 50000000") }
        guard (o.dkimSignatures ?? 0) <= 20, (o.arcHops ?? 0) <= 20 else {
            throw UsageError(description: "--dkim-signatures and --arc-hops take 0...20")
        }
        return o
    }
}
