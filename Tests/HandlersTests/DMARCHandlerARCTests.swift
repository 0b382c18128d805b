import Handlers
import JSON
import MailAuth
import Milter
import TestSupport
import Testing

/// The ARC override: a message that passed SPF at a forwarder, which
/// sealed it, fails DMARC here; a trusted sealer's results make it pass.
@Suite(.requiresConformanceData(.dkim)) struct DMARCHandlerARCTests {
    typealias Support = DMARCHandlerTestSupport

    /// The forwarder (forwarder.example) sees SPF pass for example.com and
    /// seals; returns the headers as it hands them on.
    static func forwarded(envelope: String = "<sender@example.com>", extra: [(String, String)] = [],
                          expect: String = "spf=pass smtp.mailfrom=sender@example.com") throws -> [(String, String)] {
        var dns = try ARCHandlerTestSupport.zone(["forwarder.example"])
        dns.add("example.com", .txt([Array("v=spf1 ip4:192.0.2.0/24 -all".utf8)]))
        dns.add("plain.example", .txt([Array("v=spf1 -all".utf8)]))
        let spf = try SPFHandler(config: JSONParser.parse(#"{"hide_received-spf_header": 1}"#))
        let sealer = try ARCHandlerTestSupport.handler(sealingAs: "forwarder.example")
        let harness = Harness(handlers: [spf, sealer], settings: .with {
            $0.authservID = "mx.forwarder.example"
            $0.indentStyle = .none
        }, resolver: dns)
        harness.openConnection()
        var headers = Support.from("User <user@example.com>", extra)
        let replies = harness.sendMessage(from: envelope, headers: headers, body: ARCHandlerTestSupport.body)
        for reply in replies {
            if case .insertHeader(let index, let name, let value) = reply {
                headers.insert((name, value), at: min(Int(index) - 1, headers.count))
            }
        }
        let aar = headers.first { $0.0 == "ARC-Authentication-Results" }?.1 ?? ""
        #expect(aar.contains(expect))
        return headers
    }

    /// Here example.com's SPF no longer covers the client and its policy
    /// is reject.
    static func zone() throws -> InMemoryDNSResolver {
        var dns = try ARCHandlerTestSupport.zone(["forwarder.example"])
        dns.add("example.com", .a("198.51.100.10"))
        dns.add("example.com", .txt([Array("v=spf1 -all".utf8)]))
        dns.add("_dmarc.example.com", .txt([Array("v=DMARC1; p=reject".utf8)]))
        return dns
    }

    static func run(dmarc config: String, trusted: String) throws -> DMARCHandlerTestSupport.Run {
        let arc = try ARCHandlerTestSupport.handler(extra: #""trusted_domains": \#(trusted)"#)
        return try Support.run(Support.handlers(config, arc: arc), from: "<sender@example.com>",
                               headers: forwarded(), body: ARCHandlerTestSupport.body, resolver: zone())
    }

    @Test func aTrustedSealersPassOverridesTheFailure() throws {
        let run = try Self.run(dmarc: #"{"use_arc": 1, "hard_reject": 1}"#, trusted: #"["forwarder.example"]"#)
        #expect(run.entries.contains { $0.hasPrefix("arc=pass") })
        #expect(run.dmarc == [DMARCHandlerTests.entry("fail", "example.com", p: "reject", d: "none", eval: "reject", arc: "pass")])
        #expect(!run.rejected && !run.quarantined)
    }

    @Test func theOverrideIsRecordedForReports() throws {
        let arc = try ARCHandlerTestSupport.handler(extra: #""trusted_domains": ["forwarder.example"]"#)
        var handlers = try Support.handlers(#"{"use_arc": 1}"#, arc: arc)
        let dmarc = try #require(handlers.last as? DMARCHandler)
        let probe = ScriptedHandler()
        var seen: [DMARCHandler.Outcome] = []
        var session: MailSession?
        probe.onEndOfMessage = { current in
            seen = dmarc.outcomes(in: current)
            session = current
        }
        handlers.append(probe)
        _ = try Support.run(handlers, from: "<sender@example.com>", headers: Self.forwarded(), body: ARCHandlerTestSupport.body,
                            resolver: Self.zone())
        let outcome = try #require(seen.first)
        #expect(seen.count == 1)
        #expect(outcome.result.code == .fail && outcome.result.disposition == .reject)
        #expect(outcome.appliedDisposition == .none && outcome.overrideReason == nil && outcome.arcAwareResult == "pass")
        #expect(outcome.result.reasons == [DMARCPolicyOverrideReason(type: .localPolicy,
                                                                     comment: "arc=pass as[1].d=forwarder.example as[1].s=arc remote-ip[1]=")])
        #expect(dmarc.outcomes(in: try #require(session)).isEmpty)
    }

    @Test func anUntrustedSealerOrUseArcOffChangesNothing() throws {
        let untrusted = try Self.run(dmarc: #"{"use_arc": 1, "hard_reject": 1}"#, trusted: "[]")
        #expect(untrusted.rejected)
        let soft = try Self.run(dmarc: #"{"use_arc": 1}"#, trusted: "[]")
        #expect(soft.dmarc == [DMARCHandlerTests.entry("fail", "example.com", p: "reject", d: "quarantine", eval: "reject",
                                                      override: "local_policy", arc: "fail")])
        let off = try Self.run(dmarc: #"{"use_arc": 0, "hard_reject": 1}"#, trusted: #"["forwarder.example"]"#)
        #expect(off.rejected)
    }

    @Test func arcBeforeListKeepsTheListExemptionOffForTrustedChains() throws {
        // The forwarder saw an SPF fail for another domain: the trusted
        // chain does not make DMARC pass, and with arc_before_list it also
        // stops the list exemption.
        let headers = try Self.forwarded(envelope: "<b@plain.example>", extra: [("List-Id", "<x.list.example>")],
                                         expect: "spf=fail smtp.mailfrom=b@plain.example")
        func run(_ config: String) throws -> DMARCHandlerTestSupport.Run {
            let arc = try ARCHandlerTestSupport.handler(extra: #""trusted_domains": ["forwarder.example"]"#)
            return try Support.run(Support.handlers(config, arc: arc), from: "<sender@example.com>",
                                   headers: headers, body: ARCHandlerTestSupport.body, resolver: Self.zone())
        }
        let first = try run(#"{"use_arc": 1, "hard_reject": 1, "no_list_reject": 1, "arc_before_list": 1}"#)
        #expect(first.rejected)
        let list = try run(#"{"use_arc": 1, "hard_reject": 1, "no_list_reject": 1, "detect_list_id": 1}"#)
        #expect(list.entries.contains { $0.hasPrefix("arc=pass") })
        #expect(list.dmarc == [DMARCHandlerTests.entry("fail", "example.com", p: "reject", d: "none", eval: "reject",
                                                      override: "mailing_list", list: true, arc: "fail")])
    }
}
