#if canImport(Glibc)
import Glibc
#endif
import BenchSupport
import Milter

// authmilter-bench: a milter-protocol load generator. Replays N messages
// over K concurrent connections against running milters (one milter
// connection per message, as Postfix does per SMTP session), then prints
// messages/s, p50/p99 latency, CPU per 1,000 messages of each process role
// and the memory of the processes.
//
//   authmilter-bench --port 12345 [--host 127.0.0.1] [--messages 2000]
//                    [--concurrency 8] [--pidfile /run/authentication_milter.pid]
//                    [--body-bytes 10000]
//       the built-in message (10 KB, unsigned) over TCP.
//   authmilter-bench --generate-mix DIR [--mix-size 140] [--body-bytes 10000]
//                    [--dkim-signatures N] [--arc-hops N]
//       writes a mix (DIR/messages), its zone (DIR/unbound-zone.conf) and
//       keys (MixGenerator); with --dkim-signatures/--arc-hops every
//       message is alike (the scaling runs).
//   authmilter-bench --mix DIR (--socket PATH | --port P | --chain A,B)
//                    [--pidfile P] [--pids 1,2] [--side-pids 3] [--check spf,dkim,dmarc,arc,iprev]
//                    [--label L] [--group G --param X] [--results FILE] [--show-headers N]
//       replays the mix round-robin; --chain sends each message to A, then
//       to B with A's header changes applied (Postfix's smtpd_milters);
//       --check compares the A-R results with the mix's; --results appends
//       the round's figures (RoundResult) to FILE; --pidfile/--pids name the
//       process trees whose CPU is counted (RoleCPUProbe), --side-pids
//       those measured beside the total (the resolver), where the load
//       client's own CPU is always shown too (`client`).
//   authmilter-bench --table FILE [--ratio full:peers]
//   authmilter-bench --scaling-table FILE
//       medians over the rounds of a results file (ResultTable).
//   authmilter-bench --floor DIR --speed FILE
//       the mix's signature verifications priced at `openssl speed`.
//   authmilter-bench --port 12345 --burst 1000
//       N connections at once against a (small) pool: how long each MTA
//       waits for its first answer, how many were served and how many
//       closed by the master (BurstRun).

var options = BenchOptions()
do { options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst())) } catch {
    print("\(error)")
    exit(2)
}
switch options.mode {
case .burst:
    BurstRun(options: options).run()
    exit(0)
case .generateMix(let directory):
    do { try MixGenerator(options: options).write(to: directory) } catch {
        print("authmilter-bench: \(error)")
        exit(1)
    }
    exit(0)
case .table(let file):
    print(ResultTable.configurations(RoundResult.parse(file: ProcFiles.read(file)), ratios: options.ratios))
    exit(0)
case .scalingTable(let file):
    print(ResultTable.scaling(RoundResult.parse(file: ProcFiles.read(file))))
    exit(0)
case .floor(let mix, let speedFile):
    guard let floor = VerifyFloor.parse(summary: ProcFiles.read(mix + "/summary")),
          let speed = VerifyFloor.Speed.parse(ProcFiles.read(speedFile)) else {
        print("authmilter-bench: cannot read \(mix)/summary or the openssl speed output in \(speedFile)")
        exit(1)
    }
    print("openssl speed: RSA-2048 \(format(speed.rsa2048VerifyPerSecond)) verify/s, Ed25519 \(format(speed.ed25519VerifyPerSecond)) verify/s")
    print("mix: \(ResultTable.fixed(floor.rsa2048PerMessage, 2)) RSA-2048 + \(ResultTable.fixed(floor.ed25519PerMessage, 2)) "
          + "Ed25519 verifications per message")
    print("public-key floor: \(ResultTable.fixed(floor.cpuSecondsPer1000(at: speed), 3)) CPU s/1000 msgs")
    exit(0)
case .load:
    break
}

let source: MessageSource
if let mix = options.mix {
    do { source = .mix(try MixFile.decode(ProcFiles.bytes(mix + "/messages"))) } catch {
        print("authmilter-bench: \(mix)/messages: \(error)")
        exit(2)
    }
    if case .mix(let messages, _) = source, messages.isEmpty {
        print("authmilter-bench: \(mix)/messages holds no message")
        exit(2)
    }
} else {
    source = .synthetic(bodyBytes: options.bodyBytes)
}
let probe = RoleCPUProbe(pidfile: options.pidfile, pids: options.pids)
if probe == nil && (options.pidfile != nil || !options.pids.isEmpty) {
    print("authmilter-bench: no pid in \(options.pidfile ?? "--pids")")
    exit(2)
}
// The load client's own CPU goes beside the total too (role `client`).
let sideProbe = RoleCPUProbe(pidfile: nil, pids: options.sidePids + [getpid()])
let before = probe?.snapshot()
let sideBefore = sideProbe?.snapshot()
let run = LoadRun(endpoints: options.endpoints, source: source, messages: options.messages, concurrency: options.concurrency,
                  check: options.check, showHeaders: options.showHeaders, smtp: options.smtp)
let result = run.run()
let after = probe?.snapshot()
let sideAfter = sideProbe?.snapshot()
result.report(concurrency: options.concurrency, endpoints: options.endpoints)

let sorted = result.sortedLatencies
var round = RoundResult(label: options.label, group: options.group, param: options.param, numbers: [
    "messages": Double(result.latencies.count), "failed": Double(result.failures), "mismatched": Double(result.mismatched),
    "rate": result.rate, "p50": Statistics.percentile(sorted, 0.5) * 1000, "p99": Statistics.percentile(sorted, 0.99) * 1000,
])
if let probe, let before, let after {
    let cpu = probe.cpuPer1000(before: before, after: after, messages: result.latencies.count)
    let pss = probe.pss(after)
    round.numbers.merge(cpu) { $1 }
    round.numbers.merge(pss) { $1 }
    let roles = round.cpuRoles.map { "\($0) \(ResultTable.fixed(cpu["cpu.\($0)"] ?? 0, 3))" }.joined(separator: ", ")
    print("CPU s/1000 msgs: total \(ResultTable.fixed(cpu["cpu.total"] ?? 0, 3)) (\(roles))")
    print("PSS: " + ProcessRole.sorted(pss.keys.map { String($0.dropFirst(4)) })
        .map { "\($0) \(ResultTable.fixed((pss["pss.\($0)"] ?? 0) / 1024, 1)) MiB" }.joined(separator: ", "))
}
if let sideProbe, let sideBefore, let sideAfter {
    let cpu = sideProbe.cpuPer1000(before: sideBefore, after: sideAfter, messages: result.latencies.count)
    for (key, value) in cpu where key != "cpu.total" { round.numbers["side." + key.dropFirst(4)] = value }
    print("outside the total, CPU s/1000 msgs: " + cpu.keys.filter { $0 != "cpu.total" }.sorted()
        .map { "\($0.dropFirst(4)) \(ResultTable.fixed(cpu[$0]!, 3))" }.joined(separator: ", "))
}
if let pidfile = options.pidfile, options.mix == nil { ProcessMemory.report(pidfile: pidfile) }
if let file = options.resultsFile {
    let fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    guard fd >= 0 else {
        print("authmilter-bench: cannot open \(file)")
        exit(1)
    }
    let line = Array((round.line + "\n").utf8)
    _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}
exit(result.failures == 0 ? 0 : 1)
