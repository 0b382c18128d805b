import Config
import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// BIMI (issue 13) over SPF, DKIM and DMARC through a dispatcher: the
/// `bimi=` entry in Perl's words, the BIMI-Location header on a pass, the
/// DKIM-covered BIMI-Selector, incoming BIMI headers removed.
@Suite struct BIMIHandlerTests {
    typealias Support = DMARCHandlerTestSupport

    /// example.com: p=reject, sp=quarantine (DMARCHandlerTestSupport), a
    /// default record and a `brand` one; none.example: p=none.
    static func zone() throws -> InMemoryDNSResolver {
        var dns = try Support.zone()
        dns.add("default._bimi.example.com", DKIMHandlerTestData.txt("v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem"))
        dns.add("brand._bimi.example.com", DKIMHandlerTestData.txt("v=BIMI1; l=https://example.com/brand.svg"))
        dns.add("default._bimi.none.example", DKIMHandlerTestData.txt("v=BIMI1; l=https://none.example/logo.svg"))
        dns.add("example.com.allow.example", .a("127.0.0.2"))
        dns.add("example.com", .a("192.0.2.80"))
        dns.add("none.example", .a("192.0.2.81"))
        return dns
    }

    /// A valid SVG Tiny PS indicator and its BIMI-Indicator value.
    static let svg = Array(#"<svg version="1.2" baseProfile="tiny-ps" xmlns="http://www.w3.org/2000/svg"><title>Example</title><rect width="10" height="10"/></svg>"#.utf8)
    static var indicator: String { BIMIIndicatorHeader.value(svg) }

    /// Serves `pages` by URL; anything else fails as a fetch would.
    final class ScriptedFetcher: BIMIFetching {
        var pages: [String: [UInt8]]
        var asked: [BIMIFetchRequest] = []
        init(_ pages: [String: [UInt8]]) { self.pages = pages }
        func fetch(_ request: BIMIFetchRequest) -> BIMIFetchOutcome {
            asked.append(request)
            return pages[request.url].map { .fetched($0) } ?? .failed("status 404")
        }
    }

    static func fetcher() -> ScriptedFetcher {
        ScriptedFetcher(["https://example.com/logo.svg": svg, "https://example.com/brand.svg": svg, "https://none.example/logo.svg": svg])
    }

    /// Without `bimi_options`, the evidence (`a=`) is not checked here:
    /// BIMIEvidenceTests has the VMCs.
    static func handlers(_ config: String = #"{"bimi_options":{"no_validate_cert":1}}"#, sanitize: Bool = true) throws -> [any Handler] {
        var list = try Support.handlers()
        if sanitize { list.append(try SanitizeHandler(config: JSONParser.parse("{}"))) }
        list.append(try BIMIHandler(config: JSONParser.parse(config)))
        return list.attachingPeers()
    }

    struct Outcome {
        var run: Support.Run
        /// The bimi= entries of the Authentication-Results header, split at
        /// the semicolons outside comments (Perl's comments may hold one).
        var bimi: [String] {
            var header = ""
            for reply in run.replies {
                if case .insertHeader(_, "Authentication-Results", let value) = reply { header = value }
            }
            var entries: [String] = []
            var current = ""
            var depth = 0
            for character in header {
                if character == "(" { depth += 1 }
                if character == ")" { depth -= 1 }
                if character == ";" && depth == 0 {
                    entries.append(current)
                    current = ""
                } else {
                    current.append(character)
                }
            }
            entries.append(current)
            return entries.map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }.filter { $0.hasPrefix("bimi=") }
        }
        var inserted: [(String, String)] {
            run.replies.compactMap { if case .insertHeader(_, let name, let value) = $0, name.hasPrefix("BIMI") { (name, value) } else { nil } }
        }
        var removed: [String] {
            run.replies.compactMap { if case .changeHeader(let index, let name, "") = $0 { "\(name) \(index)" } else { nil } }
        }
        var notes: [String] {
            run.replies.compactMap { if case .addHeader(let name, let value) = $0, name.hasPrefix("X-Received-") { "\(name): \(value)" } else { nil } }
        }
    }

    static func run(_ handlers: [any Handler], from: String = "<sender@example.com>", headers: [(String, String)],
                    body: String = "Hello\r\n", fetcher: (any BIMIFetching)? = fetcher()) throws -> Outcome {
        Outcome(run: try Support.run(handlers, from: from, headers: headers, body: body, resolver: zone(), bimiFetcher: fetcher))
    }

    /// `text` signed by example.com (selector test), with `signed` in `h=`;
    /// the header fields as the MTA hands them over, and the body.
    static func signed(_ text: String, signedHeaders: [String]) throws -> ([(String, String)], String) {
        let options = DKIMSignerOptions(domain: "example.com", selector: "test", signedHeaders: signedHeaders,
                                        clock: DKIMHandlerTestData.clock)
        let message = Array(text.utf8)
        let bytes = try DKIMSigner.sign(message: message, key: DKIMHandlerTestData.rsaKey(), options: options).headerBytes + message
        let (fields, bodyStart) = MessageHeaderSplitter.split(bytes)
        let headers = fields.map { field -> (String, String) in
            let raw = DKIMHandlerTestData.milterForm(field)
            return (String(decoding: raw.name, as: UTF8.self), String(decoding: raw.value, as: UTF8.self))
        }
        return (headers, String(decoding: bytes[bodyStart...], as: UTF8.self))
    }

    @Test func passAddsTheLocation() throws {
        let outcome = try Self.run(Self.handlers(), headers: Support.from("User <user@example.com>"))
        #expect(outcome.bimi == ["bimi=pass header.d=example.com header.selector=default"])
        #expect(outcome.inserted.map { "\($0.0): \($0.1)" }
                == ["BIMI-Location: v=BIMI1;\n    l=https://example.com/logo.svg", "BIMI-Indicator: " + Self.indicator])
    }

    @Test func dmarcFailIsSkipped() throws {
        let outcome = try Self.run(Self.handlers(), from: "<b@none.example>", headers: Support.from("u@none.example"))
        #expect(outcome.bimi == ["bimi=skipped (DMARC did not pass)"])
        #expect(outcome.inserted.isEmpty)
    }

    /// sub.example.com has no record of its own: example.com's default
    /// record, and its name in header.d.
    @Test func aSubdomainUsesItsOrganizationalDomainsRecord() throws {
        let outcome = try Self.run(Self.handlers(), headers: Support.from("user@sub.example.com"))
        #expect(outcome.run.dmarc.first?.hasPrefix("dmarc=pass") == true)
        #expect(outcome.bimi == ["bimi=pass header.d=example.com header.selector=default"])
    }

    @Test func twoSelectorFieldsFail() throws {
        let outcome = try Self.run(Self.handlers(), headers: Support.from("user@example.com",
                                                                       [("BIMI-Selector", "v=BIMI1; s=brand"), ("BIMI-Selector", "v=BIMI1; s=other")]))
        #expect(outcome.bimi == ["bimi=fail (multiple BIMI-Selector fields in message)"])
        #expect(outcome.inserted.isEmpty)
    }

    @Test func twoFromFieldsFail() throws {
        let outcome = try Self.run(Self.handlers(), headers: Support.from("user@example.com", [("From", "other@example.com")]))
        #expect(outcome.bimi == ["bimi=fail (multiple RFC5322 from fields in message)"])
    }

    @Test func anUnsignedSelectorIsIgnored() throws {
        let outcome = try Self.run(Self.handlers(), headers: Support.from("user@example.com", [("BIMI-Selector", "v=BIMI1; s=brand")]))
        #expect(outcome.bimi == ["bimi=pass header.d=example.com header.selector=default"])
    }

    @Test func aSelectorCoveredByAnAlignedSignatureIsUsed() throws {
        let text = "From: User <user@example.com>\r\nTo: rcpt@example.net\r\nSubject: Brand\r\nBIMI-Selector: v=BIMI1; s=brand\r\n\r\nHello\r\n"
        let (headers, body) = try Self.signed(text, signedHeaders: ["from", "to", "subject", "bimi-selector"])
        let outcome = try Self.run(Self.handlers(), headers: headers, body: body)
        #expect(outcome.run.entries.contains { $0.hasPrefix("dkim=pass") })
        #expect(outcome.bimi == ["bimi=pass header.d=example.com header.selector=brand"])
        #expect(outcome.inserted.map(\.1) == ["v=BIMI1;\n    l=https://example.com/brand.svg", Self.indicator])

        // The same field outside h=: the signature passes, the selector is not used.
        let (uncovered, uncoveredBody) = try Self.signed(text, signedHeaders: ["from", "to", "subject"])
        let other = try Self.run(Self.handlers(), headers: uncovered, body: uncoveredBody)
        #expect(other.run.entries.contains { $0.hasPrefix("dkim=pass") })
        #expect(other.bimi == ["bimi=pass header.d=example.com header.selector=default"])
    }

    @Test func incomingBIMIHeadersAreRemovedThroughSanitize() throws {
        let outcome = try Self.run(Self.handlers(), headers: Support.from("user@example.com",
                                                                       [("BIMI-Location", "v=BIMI1; l=https://forged.example/x.svg"),
                                                                        ("BIMI-Indicator", "PHN2Zz4=")]))
        #expect(Set(outcome.removed) == ["bimi-location 1", "bimi-indicator 1"])
        #expect(outcome.notes == ["X-Received-bimi-location: (Received bimi-location header removed by mx.example.net)\n    v=BIMI1; l=https://forged.example/x.svg"])
        #expect(outcome.inserted.map(\.0) == ["BIMI-Location", "BIMI-Indicator"])
    }

    @Test func withoutSanitizeTheHandlerRemovesThemItself() throws {
        let outcome = try Self.run(Self.handlers(sanitize: false),
                                   headers: Support.from("user@example.com", [("BIMI-Location", "forged"), ("bimi-location", "again")]))
        #expect(outcome.removed == ["bimi-location 2", "bimi-location 1"])
        #expect(outcome.notes.isEmpty)
    }

    @Test func allowAndBlockLists() throws {
        let allowed = try Self.run(Self.handlers(#"{"bimi_options":{"no_validate_cert":1}, "rbl_allowlist": "allow.example"}"#), headers: Support.from("user@example.com"))
        #expect(allowed.bimi == ["bimi=pass header.d=example.com header.selector=default"])
        let notAllowed = try Self.run(Self.handlers(#"{"bimi_options":{"no_validate_cert":1}, "rbl_allowlist": "other.example"}"#), headers: Support.from("user@example.com"))
        #expect(notAllowed.bimi == ["bimi=skipped (Local policy; not allowed)"])
        let blocked = try Self.run(Self.handlers(#"{"bimi_options":{"no_validate_cert":1}, "rbl_blocklist": "allow.example"}"#), headers: Support.from("user@example.com"))
        #expect(blocked.bimi == ["bimi=skipped (Local policy; blocked)"])
        let both = try Self.run(Self.handlers(#"{"bimi_options":{"no_validate_cert":1}, "rbl_allowlist": "allow.example", "rbl_blocklist": "allow.example"}"#),
                                headers: Support.from("user@example.com"))
        #expect(both.bimi.isEmpty)
    }

    @Test func aPassWithoutEvidenceNeedsTheNoEvidenceList() throws {
        let listed = try Self.run(Self.handlers(#"{"bimi_options":{"no_validate_cert":1}, "rbl_no_evidence_allowlist": "allow.example"}"#), headers: Support.from("user@example.com"))
        #expect(listed.bimi == ["bimi=pass header.d=example.com header.selector=default"])
        let unlisted = try Self.run(Self.handlers(#"{"bimi_options":{"no_validate_cert":1}, "rbl_no_evidence_allowlist": "other.example"}"#), headers: Support.from("user@example.com"))
        #expect(unlisted.bimi == ["bimi=skipped (Local policy; not allowed without evidence)"])
        #expect(unlisted.inserted.isEmpty)
    }

    @Test func withoutADMARCResultItIsAnInternalError() throws {
        let bimi = try BIMIHandler(config: JSONParser.parse("{}"))
        let outcome = try Self.run([bimi].attachingPeers(), headers: Support.from("user@example.com"))
        #expect(outcome.bimi == ["bimi=temperror (Internal DMARC error)"])
    }

    @Test func configuration() throws {
        #expect(throws: ConfigurationError.self) { try BIMIHandler(config: JSONParser.parse(#"{"rbl_allowlist": "bad zone"}"#)) }
        #expect(throws: ConfigurationError.self) { try BIMIHandler(config: JSONParser.parse(#"{"bimi_options": []}"#)) }
        let warnings = BIMIHandler.unknownKeyWarnings(in: ConfigNode(value: try JSONParser.parse(
            #"{"timeout": 100, "bimi_options": {"require_vmc": 1, "no_such_option": 1}, "other": 1}"#), origin: ConfigOrigin(file: "BIMI.json")))
        #expect(warnings.count == 2)
        #expect(BIMIHandler.configKeys.isSuperset(of: ["bimi_options", "rbl_allowlist", "timeout", "sanitize_indicator_header"]))
    }

    // MARK: Slice 2: the fetched indicator

    @Test func aPassWithAnSVGOnlyCarriesTheIndicator() throws {
        let outcome = try Self.run(Self.handlers(), headers: Support.from("user@example.com", [("BIMI-Selector", "v=BIMI1; s=brand")]))
        // The selector is not DKIM-covered: the default record, whose a= is not checked here.
        #expect(outcome.bimi == ["bimi=pass header.d=example.com header.selector=default"])
        #expect(outcome.inserted.map(\.0).contains("BIMI-Indicator"))
        #expect(outcome.inserted.first { $0.0 == "BIMI-Indicator" }?.1 == Self.indicator)
    }

    @Test func aBadSVGFails() throws {
        let fetcher = Self.fetcher()
        fetcher.pages["https://example.com/logo.svg"] = Array(#"<svg version="1.2" baseProfile="tiny-ps" xmlns="http://www.w3.org/2000/svg"><title>x</title><script>alert(1)</script></svg>"#.utf8)
        let outcome = try Self.run(Self.handlers(), headers: Support.from("user@example.com"), fetcher: fetcher)
        #expect(outcome.bimi == ["bimi=fail (SVG did not validate)"])
        #expect(outcome.inserted.isEmpty)
    }

    @Test func aFailedFetchIsATemperror() throws {
        let outcome = try Self.run(Self.handlers(), headers: Support.from("user@example.com"), fetcher: ScriptedFetcher([:]))
        #expect(outcome.bimi == ["bimi=temperror (Could not fetch SVG)"])
        let none = try Self.run(Self.handlers(), headers: Support.from("user@example.com"), fetcher: nil)
        #expect(none.bimi == ["bimi=temperror (Could not fetch SVG)"])
    }

    @Test func theFetchNamesTheResolvedAddressesAndTheBudget() throws {
        let fetcher = Self.fetcher()
        _ = try Self.run(Self.handlers(), headers: Support.from("user@example.com"), fetcher: fetcher)
        #expect(fetcher.asked.count == 1)
        #expect(fetcher.asked.first?.addresses.contains(IPAddress("192.0.2.80")!) == true)
        #expect(fetcher.asked.first?.maximumBytes == 65_535)
        #expect((fetcher.asked.first?.budgetMilliseconds ?? 0) <= 3000)
    }
}
