#if canImport(Glibc)
import Glibc
#endif
import Milter
import Shared

// authmilter-bench: a milter-protocol load generator. Replays N messages
// over K concurrent connections against a running daemon (one milter
// connection per message, as Postfix does per SMTP session), then prints
// messages/s, p50/p99 latency and the RSS of the master, one worker and
// the DNS helper (found through --pidfile).
//
//   authmilter-bench --port 12345 [--host 127.0.0.1] [--messages 2000]
//                    [--concurrency 8] [--pidfile /run/authentication_milter.pid]
//                    [--body-bytes 10000]
//   authmilter-bench --port 12345 --burst 1000
//       N connections at once against a (small) pool: how long each MTA
//       waits for its first answer, how many were served and how many
//       closed by the master (BurstRun).

var options = BenchOptions()
do { options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst())) } catch {
    print("\(error)")
    exit(2)
}
if options.burst > 0 {
    BurstRun(options: options).run()
    exit(0)
}
let result = LoadRun(options: options).run()
result.report(options: options)
exit(result.failures == 0 ? 0 : 1)
