import MailAuth
import Testing

/// Seeded random records, zones and names: evaluation never traps and
/// always ends with a result and an entry.
@Suite struct DMARCFuzzTests {
    /// SplitMix64: reproducible without Foundation.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let pieces = ["v=DMARC1", ";", " ", "p=", "sp=", "np=", "pct=", "adkim=", "aspf=", "rua=", "ruf=", "fo=", "ri=",
                         "reject", "quarantine", "none", "s", "r", "100", "-1", "mailto:a@example.com", "!10m", ",", ":",
                         "=", "\u{0}", "é", "\\;", "psd=", "t=", "y", "n", "x"]

    static func randomText(_ g: inout Generator, count: Int) -> String {
        (0..<count).map { _ in pieces[Int(g.next() % UInt64(pieces.count))] }.joined()
    }

    @Test func randomRecordsAndDomains() {
        var g = Generator(state: 0xD4A2C)
        let psl = PublicSuffixList(text: "com\nnet\n*.ck\n!www.ck\n")
        for round in 0..<300 {
            var zone = InMemoryDNSResolver()
            zone.add("example.com", .a("192.0.2.1"))
            let record = (round % 3 == 0 ? "v=DMARC1;" : "") + Self.randomText(&g, count: Int(g.next() % 20))
            zone.add("_dmarc.example.com", .txt(record))
            if g.next() % 4 == 0 { zone.add("_dmarc.mail.example.com", .txt(Self.randomText(&g, count: 6))) }
            if g.next() % 8 == 0 { zone.markTimeout("_dmarc.example.com") }
            let labels = ["mail", "example", "com", "ck", "www", "é", "", "x"]
            let from = (0..<Int(1 + g.next() % 5)).map { _ in labels[Int(g.next() % UInt64(labels.count))] }.joined(separator: ".")
            let options = DMARCOptions(discovery: round % 2 == 0 ? .rfc7489 : .treeWalk,
                                       applyNonExistentDomainPolicy: round % 5 == 0, percentDraw: { round % 100 })
            let result = DMARCEvaluator(resolver: zone, publicSuffixList: psl, options: options).evaluate(DMARCRequest(
                fromDomain: round % 7 == 0 ? "mail.example.com" : from,
                spf: DMARCSPFInput(domain: from, result: g.next() % 2 == 0 ? "pass" : "fail"),
                dkim: [DMARCDKIMInput(domain: labels[Int(g.next() % 8)] + ".example.com", result: "pass")]))
            _ = DMARCRecord(record)
            #expect(!result.authResultsEntry().sortKey.isEmpty)
            if result.code == .pass { #expect(result.dkimAligned || result.spfAligned) }
            if result.code != .fail { #expect(result.disposition == .none) }
        }
    }
}
