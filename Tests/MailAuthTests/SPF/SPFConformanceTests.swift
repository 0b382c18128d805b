import Foundation
import MailAuth
import TestSupport
import Testing
import Yams

/// The OpenSPF RFC 7208 test suite (release 2014.04, from pyspf 2.0.14),
/// read as published from the team's `shared/conformance/spf/rfc7208-tests.yml`, every
/// case run against its scenario's zone served by `InMemoryDNSResolver`.
///
/// Driver conventions, as the suite's own drivers (pyspf's and
/// Mail::SPF's) apply them:
/// - a domain with `SPF` records and no `TXT` entry gets the SPF records
///   as TXT too ("auto-magic duplication", the suite's header comment);
///   `TXT: NONE` is a TXT entry with no record, so nothing is copied;
/// - a bare `TIMEOUT` times out every type the domain has no records of;
/// - `mailfrom: ""` checks the HELO identity;
/// - the explanation is compared only for a fail, case-insensitively, and
///   `DEFAULT` is the default explanation, which the driver sets to the
///   text "DEFAULT" (Mail::SPF's driver does both).
@Suite(.requiresConformanceData(.spf)) struct SPFConformanceTests {
    @Test(arguments: SPFSuite.cases)
    func suiteCase(_ testCase: SPFSuiteCase) throws {
        _ = try ConformanceData.directory(.spf)  // skipped where the suite is absent
        if let problem = testCase.loadProblem {
            Issue.record(Comment(rawValue: problem))
            return
        }
        var options = SPFOptions()
        options.defaultExplanation = "DEFAULT"
        let evaluator = SPFEvaluator(resolver: testCase.zone, options: options)
        let ip = try #require(IPAddress(testCase.host), "bad host \(testCase.host)")
        let result = evaluator.evaluate(.mailFrom(testCase.mailFrom, ip: ip, helo: testCase.helo))
        #expect(testCase.results.contains(result.code),
                "\(testCase.name): got \(result.code) (\(result.text)), want \(testCase.results.map(\.rawValue).joined(separator: " or "))")
        if let wanted = testCase.explanation, result.code == .fail {
            #expect(result.explanation?.lowercased() == wanted.lowercased(),
                    "\(testCase.name): explanation \(result.explanation ?? "nil"), want \(wanted)")
        }
    }

    /// Every scenario and case of the file was read (a YAML or loader
    /// regression must not quietly shrink the suite).
    @Test func wholeSuiteIsLoaded() throws {
        _ = try ConformanceData.directory(.spf)
        let cases = SPFSuite.cases.filter { $0.loadProblem == nil }
        #expect(cases.count == SPFSuite.expectedCaseCount, "loaded \(cases.count) cases")
        #expect(Set(cases.map(\.name)).count == cases.count)
    }
}

/// One test case with the zone of its scenario.
struct SPFSuiteCase: Sendable, CustomTestStringConvertible {
    var scenario: String
    var name: String
    var host: String
    var mailFrom: String
    var helo: String
    var results: [SPFResultCode]
    var explanation: String?
    var zone: InMemoryDNSResolver
    /// Set on the single placeholder case when the suite could not be read.
    var loadProblem: String?

    var testDescription: String { loadProblem == nil ? "\(scenario): \(name)" : "suite not loaded" }
}

/// Reads the suite once.
enum SPFSuite {
    /// Test cases in release 2014.04 of the RFC 7208 suite.
    static let expectedCaseCount = 203

    static let cases: [SPFSuiteCase] = {
        do {
            return try load()
        } catch {
            return [SPFSuiteCase(scenario: "", name: "", host: "", mailFrom: "", helo: "", results: [],
                                 zone: InMemoryDNSResolver(), loadProblem: "\(error)")]
        }
    }()

    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// The suite file in the team's conformance data (`ConformanceData`).
    static func suiteURL() throws -> URL {
        try ConformanceData.location(.spf).get().appendingPathComponent("rfc7208-tests.yml")
    }

    static func load() throws -> [SPFSuiteCase] {
        let url = try suiteURL()
        let text = try String(contentsOf: url, encoding: .utf8)
        var cases: [SPFSuiteCase] = []
        // The basic resolver keeps every scalar a string: the default one
        // would read "1.2.3.4" as a number.
        for document in try Yams.load_all(yaml: text, .basic) {
            guard let scenario = document as? [String: Any] else { continue }
            let description = scenario["description"] as? String ?? "?"
            let zone = try makeZone(scenario["zonedata"] as? [String: Any] ?? [:], scenario: description)
            guard let tests = scenario["tests"] as? [String: Any] else { continue }
            for (name, value) in tests.sorted(by: { $0.key < $1.key }) {
                guard let test = value as? [String: Any] else { throw LoadError(description: "\(name): not a mapping") }
                let results: [String]
                if let one = test["result"] as? String {
                    results = [one]
                } else if let several = test["result"] as? [Any] {
                    results = several.compactMap { $0 as? String }
                } else {
                    throw LoadError(description: "\(name): no result")
                }
                let codes = try results.map { text -> SPFResultCode in
                    guard let code = SPFResultCode(rawValue: text.trimmingCharacters(in: .whitespaces)) else {
                        throw LoadError(description: "\(name): unknown result \(text)")
                    }
                    return code
                }
                cases.append(SPFSuiteCase(scenario: description, name: name,
                                          host: test["host"] as? String ?? "",
                                          mailFrom: test["mailfrom"] as? String ?? "",
                                          helo: test["helo"] as? String ?? "",
                                          results: codes,
                                          explanation: test["explanation"] as? String,
                                          zone: zone))
            }
        }
        return cases
    }

    /// Builds the scenario's zone: records, `TIMEOUT`/`SERVFAIL` markers,
    /// and the SPF-to-TXT copy for domains without a TXT entry.
    static func makeZone(_ data: [String: Any], scenario: String) throws -> InMemoryDNSResolver {
        var zone = InMemoryDNSResolver()
        for (domain, value) in data {
            guard let entries = value as? [Any] else { throw LoadError(description: "\(scenario): \(domain): not a list") }
            var spf: [DNSRecord] = []
            var hasTXTEntry = false
            for entry in entries {
                if let marker = entry as? String {
                    switch marker {
                    case "TIMEOUT": zone.markTimeout(domain)
                    case "SERVFAIL": zone.markServfail(domain)
                    default: throw LoadError(description: "\(scenario): \(domain): unknown marker \(marker)")
                    }
                    continue
                }
                guard let mapping = entry as? [String: Any], mapping.count == 1, let (type, rdata) = mapping.first else {
                    throw LoadError(description: "\(scenario): \(domain): bad entry \(entry)")
                }
                switch type.uppercased() {
                case "TXT":
                    hasTXTEntry = true
                    if let text = rdata as? String, text == "NONE" { continue }
                    zone.add(domain, try textRecord(rdata, isSPF: false))
                case "SPF":
                    let record = try textRecord(rdata, isSPF: true)
                    zone.add(domain, record)
                    spf.append(record)
                case "A":
                    guard let text = rdata as? String, let record = DNSRecord.address(text), record.type == .a else {
                        throw LoadError(description: "\(scenario): \(domain): bad A \(rdata)")
                    }
                    zone.add(domain, record)
                case "AAAA":
                    guard let text = rdata as? String, let record = DNSRecord.address(text), record.type == .aaaa else {
                        throw LoadError(description: "\(scenario): \(domain): bad AAAA \(rdata)")
                    }
                    zone.add(domain, record)
                case "MX":
                    guard let pair = rdata as? [Any], pair.count == 2, let preference = UInt16("\(pair[0])"),
                          let exchange = pair[1] as? String else {
                        throw LoadError(description: "\(scenario): \(domain): bad MX \(rdata)")
                    }
                    zone.add(domain, .mx(preference: preference, exchange: exchange))
                case "PTR":
                    guard let target = rdata as? String else { throw LoadError(description: "\(scenario): \(domain): bad PTR") }
                    zone.add(domain, .ptr(target))
                case "CNAME":
                    guard let target = rdata as? String else { throw LoadError(description: "\(scenario): \(domain): bad CNAME") }
                    zone.add(domain, .cname(target))
                default:
                    throw LoadError(description: "\(scenario): \(domain): unknown type \(type)")
                }
            }
            if !hasTXTEntry {
                for record in spf {
                    if case .spf(let strings) = record { zone.add(domain, .txt(strings)) }
                }
            }
        }
        return zone
    }

    /// A TXT or SPF record: one string, or a list of strings making one
    /// record (possibly none). YAML `\xNN` escapes arrive as code points
    /// U+0000…U+00FF and are stored as their UTF-8 bytes: still non-ASCII,
    /// which is all the cases test.
    static func textRecord(_ rdata: Any, isSPF: Bool) throws -> DNSRecord {
        let strings: [[UInt8]]
        if let text = rdata as? String {
            strings = [Array(text.utf8)]
        } else if let list = rdata as? [Any] {
            strings = try list.map { item in
                guard let text = item as? String else { throw LoadError(description: "bad TXT string \(item)") }
                return Array(text.utf8)
            }
        } else {
            throw LoadError(description: "bad TXT data \(rdata)")
        }
        return isSPF ? .spf(strings) : .txt(strings)
    }
}
