import Foundation
import MailAuth
import TestSupport
import Testing

/// The ValiMail ARC sealing suite (`arc-draft-sign-tests.yml`, 17 cases in
/// 2 scenarios): each message is validated with our verifier, then sealed
/// with the scenario's key, `d=`, `s=`, the case's `t`, `sig-headers` and
/// `srv-id`, and the three fields are compared with `AS`, `AMS`, `AAR`
/// (ARC-Seal and ARC-Message-Signature with all whitespace removed, since
/// `b=` folds anywhere; the ARC-Authentication-Results with whitespace
/// runs made one space). A case whose expected fields are empty
/// (`no_additional_sig`, a chain whose newest seal says `cv=fail`) must
/// not be sealed.
///
/// The AAR's results are what the suite's drivers (dkimpy's `arc_sign`,
/// Mail::DKIM's ARC signer) put there: every Authentication-Results field
/// of the message whose authserv-id is `srv-id`, after it, joined with
/// `;`. The `arc=` those fields carry must agree with our validation.
@Suite(.requiresConformanceData(.arc)) struct ARCSignConformanceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var scenario: String
        var name: String
        var fields: [String: String]
        var domain: String
        var selector: String
        var privateKey: String
        var resolver: InMemoryDNSResolver
        var loadProblem: String?

        var testDescription: String { loadProblem == nil ? "\(scenario): \(name)" : "suite not loaded" }
        func value(_ key: String) -> String { fields[key] ?? "" }
    }

    static let expectedCaseCount = 17

    static let cases: [Case] = {
        do {
            var cases: [Case] = []
            for scenario in try ARCTestData.scenarios("arc-draft-sign-tests.yml") {
                let resolver = scenario.resolver
                for (name, fields) in scenario.tests {
                    cases.append(Case(scenario: scenario.description, name: name, fields: fields,
                                      domain: scenario.fields["domain"] ?? "", selector: scenario.fields["sel"] ?? "",
                                      privateKey: scenario.fields["privatekey"] ?? "", resolver: resolver))
                }
            }
            return cases
        } catch {
            return [Case(scenario: "", name: "", fields: [:], domain: "", selector: "", privateKey: "",
                         resolver: InMemoryDNSResolver(), loadProblem: "\(error)")]
        }
    }()

    @Test(arguments: cases)
    func suiteCase(_ testCase: Case) throws {
        _ = try ConformanceData.directory(.arc)  // skipped where the suite is absent
        if let problem = testCase.loadProblem {
            Issue.record(Comment(rawValue: problem))
            return
        }
        let message = Array(testCase.value("message").utf8)
        let srvID = testCase.value("srv-id")
        let verification = ARCVerifier.verify(message: message, resolver: testCase.resolver)
        let (results, arcWord) = Self.authenticationResults(of: message, authservID: srvID)
        if let arcWord {
            #expect(verification.status.rawValue == arcWord,
                    "\(testCase.name): the suite's A-R says arc=\(arcWord), we validate \(verification.status) (\(verification.reason ?? ""))")
        }

        let timestamp = try #require(Int64(testCase.value("t")), "\(testCase.name): bad t")
        // foldWidth 0: the suite's expected fields come from dkimpy with
        // `standardize=True`, which writes each field on one line (the YAML
        // shows them folded for reading). The seal covers the
        // ARC-Message-Signature with its folding whitespace (relaxed
        // canonicalization keeps one space where a fold was, even inside
        // b=), so the expected seals are reproducible only unfolded.
        let options = ARCSealerOptions(domain: testCase.domain, selector: testCase.selector,
                                       signedHeaders: testCase.value("sig-headers").split(separator: ":").map(String.init),
                                       foldWidth: 0, clock: .fixed(timestamp))
        let key = try DKIMSigningKey(pem: testCase.privateKey)
        let expectsNoSet = [testCase.value("AS"), testCase.value("AMS"), testCase.value("AAR")]
            .allSatisfy { ARCTestData.squeezed($0).isEmpty }
        do {
            let set = try ARCSealer.seal(message: message, key: key, options: options, verification: verification,
                                         authservID: srvID, results: results)
            #expect(!expectsNoSet, "\(testCase.name): sealed, but the suite wants no new set")
            #expect(ARCTestData.squeezed(set.seal) == ARCTestData.squeezed(testCase.value("AS")),
                    "\(testCase.name): ARC-Seal\n got: \(set.seal)\nwant: \(testCase.value("AS"))")
            #expect(ARCTestData.squeezed(set.messageSignature) == ARCTestData.squeezed(testCase.value("AMS")),
                    "\(testCase.name): ARC-Message-Signature\n got: \(set.messageSignature)\nwant: \(testCase.value("AMS"))")
            #expect(ARCTestData.collapsed(set.authenticationResults) == ARCTestData.collapsed(testCase.value("AAR")),
                    "\(testCase.name): ARC-Authentication-Results\n got: \(set.authenticationResults)\nwant: \(testCase.value("AAR"))")
            // What we sealed validates.
            let sealed = set.headerBytes + message
            let again = ARCVerifier.verify(message: sealed, resolver: testCase.resolver)
            let wanted: ARCChainStatus = set.chainStatus == .fail ? .fail : .pass
            #expect(again.status == wanted, "\(testCase.name): our set validates as \(again.status) (\(again.reason ?? ""))")
        } catch ARCSealerError.chainAlreadyFailed where expectsNoSet {
            // The newest seal says cv=fail: no new set (RFC 8617 section 5.1 step 2).
        } catch {
            Issue.record("\(testCase.name): \(error)")
        }
    }

    @Test func wholeSuiteIsLoaded() throws {
        _ = try ConformanceData.directory(.arc)
        let loaded = Self.cases.filter { $0.loadProblem == nil }
        #expect(loaded.count == Self.expectedCaseCount, "loaded \(loaded.count) cases")
    }

    /// The results of the message's Authentication-Results fields for
    /// `authservID`, joined, and the `arc=` result among them if any.
    static func authenticationResults(of message: [UInt8], authservID: String) -> (String, String?) {
        var parts: [String] = []
        var arc: String? = nil
        for field in MessageHeaderSplitter.split(message).fields where field.hasName("Authentication-Results") {
            let text = field.valueText
            guard let semicolon = text.firstIndex(of: ";"),
                  text[..<semicolon].trimmingCharacters(in: .whitespaces).lowercased() == authservID.lowercased() else { continue }
            var rest = text[text.index(after: semicolon)...].trimmingCharacters(in: .whitespaces)
            while rest.hasSuffix(";") { rest = String(rest.dropLast()).trimmingCharacters(in: .whitespaces) }
            for item in rest.split(separator: ";") {
                let trimmed = item.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("arc=") { arc = String(trimmed.dropFirst(4)).lowercased() }
            }
            parts.append(rest)
        }
        return (parts.joined(separator: "; "), arc)
    }
}
