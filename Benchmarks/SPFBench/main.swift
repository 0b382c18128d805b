#if canImport(Glibc)
import Glibc
#endif
import MailAuth

// spf-bench: SPF evaluations per second against a warm in-memory zone, so
// the figure is the evaluator's own cost (parsing, macro expansion,
// matching), not DNS latency: in the daemon the DNS helper's cache plays
// the zone's part.
//
//   spf-bench [--seconds 3]
//
// The policy is a realistic one: an include of a provider's ranges, a, mx
// (two hosts) and local ip4/ip6 ranges, ending in -all. Three clients are
// checked in turn: one allowed by the include, one by the last ip4 range
// (every earlier term evaluated), one refused (the whole record, and the
// fail's default explanation).

var seconds = 3.0
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    if argument == "--seconds", let value = arguments.popFirst().flatMap(Double.init), value > 0 {
        seconds = value
    } else {
        print("usage: spf-bench [--seconds N]")
        exit(2)
    }
}

var zone = InMemoryDNSResolver()
zone.add("example.com", .txt("v=spf1 include:_spf.provider.example a mx ip4:192.0.2.0/25 ",
                             "ip4:198.51.100.0/24 ip6:2001:db8:1::/48 ip4:203.0.113.64/26 -all"))
zone.add("example.com", .a("192.0.2.200"))
zone.add("example.com", .mx(preference: 10, exchange: "mx1.example.com"))
zone.add("example.com", .mx(preference: 20, exchange: "mx2.example.com"))
zone.add("mx1.example.com", .a("192.0.2.201"))
zone.add("mx2.example.com", .a("192.0.2.202"))
zone.add("_spf.provider.example", .txt("v=spf1 ip4:209.85.128.0/17 ip4:74.125.0.0/16 ip4:173.194.0.0/16 ",
                                       "ip6:2001:4860:4000::/36 ip6:2a00:1450:4000::/36 ~all"))

let cache = SPFRecordCache()
let requests: [(SPFRequest, SPFResultCode)] = [
    (.mailFrom("alice@example.com", ip: IPAddress("74.125.82.171")!, helo: "mail-we0-f171.google.com"), .pass),
    (.mailFrom("bob@example.com", ip: IPAddress("203.0.113.99")!, helo: "out.example.com"), .pass),
    (.mailFrom("mallory@example.com", ip: IPAddress("198.18.0.1")!, helo: "spam.example"), .fail),
]
for (request, expected) in requests {
    let result = SPFEvaluator(resolver: zone).evaluate(request)
    guard result.code == expected else {
        print("unexpected result \(result.code) for \(request.identity): \(result.text)")
        exit(1)
    }
}

/// Evaluations per second for `seconds`, and any unexpected results.
func measure(_ evaluator: SPFEvaluator, _ requests: [(SPFRequest, SPFResultCode)],
             seconds: Double) -> (rate: Double, evaluations: Int, failures: Int) {
    let clock = ContinuousClock()
    let budget = Duration.milliseconds(Int64(seconds * 1000))
    var evaluations = 0
    var failures = 0
    let start = clock.now
    while clock.now - start < budget {
        for _ in 0..<100 {
            for (request, expected) in requests {
                if evaluator.evaluate(request).code != expected { failures += 1 }
                evaluations += 1
            }
        }
    }
    let elapsed = clock.now - start
    let total = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (Double(evaluations) / total, evaluations, failures)
}

// As the handler runs it (parsed records kept between messages), then
// parsing every record every time.
var failures = 0
for (label, evaluator) in [("record cache", SPFEvaluator(resolver: zone, recordCache: cache)),
                           ("no cache", SPFEvaluator(resolver: zone))] {
    let run = measure(evaluator, requests, seconds: seconds)
    failures += run.failures
    print("spf-bench (\(label)): \(Int(run.rate)) evaluations/s (\(format3(1e6 / run.rate)) µs each, "
          + "\(run.evaluations) in \(format3(seconds)) s), \(run.failures) unexpected results")
}
exit(failures == 0 ? 0 : 1)

/// Three decimals without Foundation's String(format:).
func format3(_ value: Double) -> String {
    let scaled = Int((value * 1000).rounded())
    let fraction = String(scaled % 1000)
    return "\(scaled / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
}
