@testable import MailAuth
import Testing

/// AuthResultsSort renders an entry's whole text only when `method=result`
/// does not decide (issue 12); the order must be exactly the one of
/// comparing the whole texts, which the reference below still does.
@Suite struct AuthenticationResultsSortTests {
    static func reference(_ list: [AuthResultsEntry]) -> [AuthResultsEntry] {
        guard list.count > 1 else { return list }
        let keyed = list.map { (entry: $0, key: $0.sortKey) }
        return keyed.sorted {
            $0.entry.method == "dmarc" && $1.entry.method == "dmarc"
                ? DMARCResult.perlEntryOrder($0.entry, sortKey: $0.key, $1.entry, sortKey: $1.key)
                : $0.key.utf8.lexicographicallyPrecedes($1.key.utf8)
        }.map(\.entry)
    }

    static let methods = ["dkim", "dkim-adsp", "dkim-atps", "dmarc", "spf", "arc", "iprev", "x-ptr", "auth", "d", "0", "",
                          "none", "dk im", "a=b"]
    static let results = ["pass", "fail", "none", "neutral", "passed", "", "0", "temperror", "pass (x)", "p;ss",
                          String(repeating: "r", count: 300)]

    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state ^ (state >> 29)
        }
    }

    static func entry(_ random: inout Generator) -> AuthResultsEntry {
        var entry = AuthResultsEntry(method: methods.randomElement(using: &random)!,
                                     result: results.randomElement(using: &random)!)
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            if Bool.random(using: &random) {
                entry.append(AuthResultsProperty(key: ["header.d", "header.i", "smtp.mailfrom", "policy.applied-disposition"]
                                                    .randomElement(using: &random)!,
                                                 value: ["example.com", "b.example", "reject", "quarantine", "", "x y"]
                                                    .randomElement(using: &random)!))
            } else {
                entry.append(AuthResultsComment(["2048-bit key", "", "a(b)"].randomElement(using: &random)!))
            }
        }
        if Int.random(in: 0..<5, using: &random) == 0 { entry.version = "1" }
        return entry
    }

    @Test func theOrderIsThatOfTheWholeTexts() {
        var random = Generator(state: 12)
        for round in 0..<3000 {
            let list = (0..<Int.random(in: 0...9, using: &random)).map { _ in Self.entry(&random) }
            let sorted = AuthResultsSort.sorted(list)
            #expect(sorted.map(\.sortKey) == Self.reference(list).map(\.sortKey), "round \(round)")
            #expect(sorted.count == list.count)
        }
    }

    @Test func everyKeyStartsWithItsHead() {
        var random = Generator(state: 99)
        for _ in 0..<3000 {
            let entry = Self.entry(&random)
            #expect(entry.sortKey.hasPrefix(entry.sortKeyHead), "\(entry.sortKey) / \(entry.sortKeyHead)")
        }
    }

    @Test func headsDecideOnlyAtAByteBothHave() {
        #expect(AuthResultsSort.headOrder("dkim=pass", "spf=pass") == true)
        #expect(AuthResultsSort.headOrder("dkim=pass", "dkim=fail") == false)
        #expect(AuthResultsSort.headOrder("dkim=pass", "dkim=pass") == nil)
        #expect(AuthResultsSort.headOrder("dkim=pass", "dkim=passed") == nil)
        #expect(AuthResultsSort.headOrder("", "spf=pass") == nil)
    }
}
