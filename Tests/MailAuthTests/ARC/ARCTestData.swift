import Foundation
import MailAuth
import TestSupport
import Yams

/// The ValiMail ARC test suite in the team's `shared/conformance/arc/`, read as
/// published: both YAML files are streams of scenarios, each with its
/// `tests` and the `txt-records` that hold its keys.
///
/// The files are read through Yams' node tree, not its dictionaries: the
/// validation file repeats four test names inside one scenario
/// (`as_fields_b_head_case`, `as_fields_b_head_unfold`, `as_fields_b_eol_wsp`,
/// `as_fields_b_inl_wsp`, each twice with different messages), which a
/// dictionary would fold into one. The second of each gets a `#2` suffix,
/// so all 175 cases run.
enum ARCTestData {
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// One scenario: its description, its test cases (name and fields, in
    /// file order, duplicates kept), its top-level keys.
    struct Scenario {
        var description: String
        var tests: [(name: String, fields: [String: String])]
        var fields: [String: String]
        var records: [String: String]

        /// The `txt-records` served the way a DNS server carries them.
        var resolver: InMemoryDNSResolver {
            var zone = InMemoryDNSResolver()
            for (name, text) in records { zone.add(name, DKIMTestData.txt(text)) }
            return zone
        }
    }

    /// The suite directory in the team's conformance data
    /// (`ConformanceData`); throws where it is absent without touching the
    /// running test (the suites are loaded once, outside any test).
    static func directory() throws -> URL {
        try ConformanceData.location(.arc).get()
    }

    static func scenarios(_ file: String) throws -> [Scenario] {
        let url = try directory().appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw LoadError(description: "ARC conformance file missing: \(url.path)")
        }
        var scenarios: [Scenario] = []
        for document in try Yams.compose_all(yaml: String(decoding: data, as: UTF8.self)) {
            guard let top = document.mapping else { throw LoadError(description: "\(file): a document is not a mapping") }
            var scenario = Scenario(description: "?", tests: [], fields: [:], records: [:])
            for (key, value) in top {
                switch key.string ?? "" {
                case "tests":
                    guard let tests = value.mapping else { throw LoadError(description: "\(file): tests is not a mapping") }
                    var seen: [String: Int] = [:]
                    for (name, test) in tests {
                        guard let name = name.string, let fields = test.mapping else {
                            throw LoadError(description: "\(file): a test is not a mapping")
                        }
                        seen[name, default: 0] += 1
                        let unique = seen[name] == 1 ? name : "\(name)#\(seen[name]!)"
                        scenario.tests.append((unique, strings(fields)))
                    }
                case "txt-records":
                    scenario.records = value.mapping.map(strings) ?? [:]
                case let other:
                    scenario.fields[other] = value.string
                }
            }
            scenario.description = scenario.fields["description"] ?? "?"
            scenarios.append(scenario)
        }
        return scenarios
    }

    /// A mapping's scalar values as strings (`t: 12345` stays "12345").
    private static func strings(_ mapping: Node.Mapping) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in mapping {
            if let key = key.string, let text = value.string { result[key] = text }
        }
        return result
    }

    /// A suite message with CRLF line ends (the files use LF).
    static func crlf(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for byte in text.utf8 {
            if byte == 0x0A && out.last != 0x0D { out.append(0x0D) }
            out.append(byte)
        }
        return out
    }

    /// Whitespace removed: how sign-suite values are compared (their `b=`
    /// is folded anywhere).
    static func squeezed(_ text: String) -> String {
        String(text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.map(Character.init))
    }

    /// Runs of whitespace made one space, ends trimmed: how the
    /// ARC-Authentication-Results are compared (its comments hold
    /// meaningful spaces).
    static func collapsed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
