#if canImport(Glibc)
import Glibc
#endif
import Config
import Handlers
import JSON
import MailAuth

// dmarc-bench: the DMARC handler's end of message for one From header
// holding N addresses in N distinct domains, each with a p=reject policy
// in an in-memory zone (so the figure is the handler's own cost, not DNS
// latency). Printed per N: wall time, the resolver's batches and
// questions, and the dmarc= entries added.
//
//   dmarc-bench [--limits default|none] [N ...]     (default N: 1000 10000 40000)
//
// `--limits default` writes the -h default_config limits (skip 10,
// quarantine 20, reject 30); `none` leaves them out (off, as in Perl).

/// Counts what reaches the zone.
final class CountingResolver: DNSResolver {
    let zone: InMemoryDNSResolver
    var batches = 0
    var questions = 0
    init(zone: InMemoryDNSResolver) { self.zone = zone }
    func lookup(_ questions: [DNSQuestion]) -> [DNSOutcome] {
        batches += 1
        self.questions += questions.count
        return zone.lookup(questions)
    }
}

var limits = "default"
var counts: [Int] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    if argument == "--limits", let value = arguments.popFirst(), value == "default" || value == "none" {
        limits = value
    } else if let count = Int(argument), count > 0 {
        counts.append(count)
    } else {
        print("usage: dmarc-bench [--limits default|none] [N ...]")
        exit(2)
    }
}
if counts.isEmpty { counts = [1_000, 10_000, 40_000] }

let config = limits == "default"
    ? #"{"skip_on_multifrom": 10, "quarantine_on_multifrom": 20, "reject_on_multifrom": 30}"#
    : "{}"
let psl = PublicSuffixList(text: "com\norg\nnet\nexample\n")

func node(_ json: String) throws -> ConfigNode {
    ConfigNode(value: try JSONParser.parse(json), origin: ConfigOrigin(file: "bench.json"))
}

func format3(_ value: Double) -> String {
    let scaled = Int((value * 1000).rounded())
    let fraction = String(scaled % 1000)
    return "\(scaled / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
}

for count in counts {
    var zone = InMemoryDNSResolver()
    for index in 0..<count {
        zone.add("d\(index).example", .a("192.0.2.1"))
        zone.add("_dmarc.d\(index).example", .txt("v=DMARC1; p=reject"))
    }
    let resolver = CountingResolver(zone: zone)
    let from = (0..<count).map { "u\($0)@d\($0).example" }.joined(separator: ", ")
    do {
        let spf = try SPFHandler(config: node(#"{"hide_received-spf_header": 1}"#))
        let dkim = try DKIMHandler(config: node(#"{"hide_none": 1, "check_adsp": 0}"#))
        let dmarc = try DMARCHandler(config: node(config), publicSuffixList: psl)
        _ = ([spf, dkim, dmarc] as [any Handler]).attachingPeers()
        let session = MailSession(resolver: resolver)
        session.remoteIP = "192.0.2.1"
        try dmarc.envelopeFrom(session, address: "<sender@bounce.example>")
        try dmarc.header(session, name: "From", value: from)
        let clock = ContinuousClock()
        let start = clock.now
        try dmarc.endOfMessage(session)
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("dmarc-bench (limits \(limits)): \(count) From addresses: \(format3(seconds)) s, "
              + "\(resolver.batches) DNS batches, \(resolver.questions) questions, "
              + "\(session.authResults.count) dmarc entries, verdict \(session.verdict)")
    } catch {
        print("dmarc-bench: \(error)")
        exit(1)
    }
}
