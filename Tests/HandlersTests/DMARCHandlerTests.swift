import Config
import Foundation
import Handlers
import JSON
import MailAuth
import Milter
import TestSupport
import Testing

/// The DMARC handler through dispatcher conversations: SPF and DKIM
/// alignment, every policy, local overrides, and the exact entries.
@Suite struct DMARCHandlerTests {
    typealias Support = DMARCHandlerTestSupport

    static func entry(_ result: String, _ domain: String, p: String, sp: String? = nil, d: String, eval: String,
                      override: String? = nil, list: Bool = false, arc: String? = nil, from: String = "p") -> String {
        var properties = "policy.published-domain-policy=\(p)"
        var comment = "p=\(p)"
        if let sp { properties += " policy.published-subdomain-policy=\(sp)"; comment += ",sp=\(sp)" }
        if list { comment += ",has-list-id=yes" }
        properties += " policy.applied-disposition=\(d) policy.evaluated-disposition=\(eval)"
        comment += ",d=\(d),d.eval=\(eval)"
        if let override { properties += " policy.override-reason=\(override)"; comment += ",override=\(override)" }
        if let arc { properties += " policy.arc-aware-result=\(arc)"; comment += ",arc_aware_result=\(arc)" }
        return "dmarc=\(result) \(properties) (\(comment)) policy.policy-from=\(from) header.from=\(domain)"
    }

    @Test func defaultsAndKeysAreThePerlOnes() throws {
        #expect(DMARCHandler.name == "DMARC")
        #expect(DMARCHandler.dependencyNames == ["SPF", "DKIM", "ARC"])
        for key in ["hide_none", "use_arc", "hard_reject", "no_list_reject", "arc_before_list", "whitelisted", "detect_list_id",
                    "report_skip_to", "no_report", "hide_report_to", "config_file", "no_reject_disposition",
                    "no_list_reject_disposition", "reject_on_multifrom", "quarantine_on_multifrom", "skip_on_multifrom",
                    "public_suffix_list"] {
            #expect(DMARCHandler.configKeys.contains(key), "\(key)")
        }
        // As Perl reads a block at run time: a missing key is off.
        let empty = try DMARCHandler(config: Support.node("{}"), publicSuffixList: Support.psl)
        #expect(!empty.useARC && !empty.noListReject && !empty.detectListID && !empty.hardReject && !empty.hideNone)
        #expect(empty.noRejectDisposition == .quarantine && empty.noListRejectDisposition == .none)
        #expect(empty.skipOnMultiFrom == 0 && empty.quarantineOnMultiFrom == 0 && empty.rejectOnMultiFrom == 0)
        // The -h default_config block.
        let defaults = try DMARCHandler(config: Support.node(DMARCHandler.defaultConfigJSON), publicSuffixList: Support.psl)
        #expect(defaults.useARC && defaults.noListReject && defaults.detectListID && !defaults.hardReject)
        #expect(defaults.skipOnMultiFrom == 10 && defaults.quarantineOnMultiFrom == 20 && defaults.rejectOnMultiFrom == 30)
        #expect(defaults.reportSkipTo == ["my_report_from_address@example.com"])
        #expect(throws: ConfigurationError.self) {
            try DMARCHandler(config: Support.node(#"{"no_reject_disposition": "drop"}"#), publicSuffixList: Support.psl)
        }
        #expect(throws: ConfigurationError.self) {
            try DMARCHandler(config: Support.node(#"{"whitelisted": ["not an address"]}"#), publicSuffixList: Support.psl)
        }
    }

    @Test func aMissingPublicSuffixListNamesTheKey() throws {
        do {
            _ = try DMARCHandler(config: ConfigNode(value: JSONParser.parse(#"{"public_suffix_list": "/nonexistent/psl.dat"}"#),
                                                    origin: ConfigOrigin(file: "DMARC.json")))
            Issue.record("no error")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("public_suffix_list"))
            #expect(error.description.contains("/nonexistent/psl.dat"))
            #expect(error.description.contains("No such file or directory"))
        }
    }

    @Test func theDebianListIsReadAndGivenToSPF() throws {
        let path = PublicSuffixList.debianPath
        guard case .success = Result(catching: { try String(contentsOfFile: path, encoding: .utf8) }) else { return }
        let dmarc = try DMARCHandler(config: JSONParser.parse("{}"))
        #expect(dmarc.publicSuffixList.organizationalDomain(of: "mail.example.co.uk") == "example.co.uk")
        let spf = try SPFHandler(config: JSONParser.parse("{}"))
        #expect(spf.organizationalDomain == nil)
        _ = ([spf, dmarc] as [any Handler]).attachingPeers()
        #expect(spf.organizationalDomain?("a.b.example.co.uk") == "example.co.uk")
        #expect(dmarc.spf === spf)
    }

    @Test func passBySPF() throws {
        let run = try Support.run(Support.handlers(), from: "<sender@example.com>", headers: Support.from("User <user@example.com>"))
        #expect(run.dmarc == [Self.entry("pass", "example.com", p: "reject", sp: "quarantine", d: "none", eval: "none")])
        #expect(run.replies.last == .continue && !run.quarantined)
    }

    @Test func passByDKIM() throws {
        let text = "From: User <user@example.com>\r\nTo: rcpt@example.net\r\nSubject: Signed\r\n\r\nHello\r\n"
        let signed = try DKIMHandlerTestData.signed(Array(text.utf8), key: DKIMHandlerTestData.rsaKey())
        let (fields, bodyStart) = MessageHeaderSplitter.split(signed)
        let headers = fields.map { field -> (String, String) in
            let raw = DKIMHandlerTestData.milterForm(field)
            return (String(decoding: raw.name, as: UTF8.self), String(decoding: raw.value, as: UTF8.self))
        }
        let body = String(decoding: signed[bodyStart...], as: UTF8.self)
        // The envelope is another domain's, which fails SPF.
        let run = try Support.run(Support.handlers(), from: "<bounce@reject.example>", headers: headers, body: body)
        #expect(run.entries.contains { $0.hasPrefix("dkim=pass") && $0.contains("header.d=example.com") })
        #expect(run.entries.contains { $0.hasPrefix("spf=fail") })
        #expect(run.dmarc == [Self.entry("pass", "example.com", p: "reject", sp: "quarantine", d: "none", eval: "none")])
    }

    @Test func failUnderEachPolicy() throws {
        let none = try Support.run(Support.handlers(), from: "<b@none.example>", headers: Support.from("u@none.example"))
        #expect(none.dmarc == [Self.entry("fail", "none.example", p: "none", d: "none", eval: "none")])
        #expect(!none.quarantined)

        let quarantine = try Support.run(Support.handlers(), from: "<b@quarantine.example>", headers: Support.from("u@quarantine.example"))
        #expect(quarantine.dmarc == [Self.entry("fail", "quarantine.example", p: "quarantine", d: "quarantine", eval: "quarantine")])
        #expect(quarantine.quarantined)
    }

    @Test func rejectIsQuarantinedUnlessHardReject() throws {
        let soft = try Support.run(Support.handlers(), from: "<b@reject.example>", headers: Support.from("u@reject.example"))
        #expect(soft.dmarc == [Self.entry("fail", "reject.example", p: "reject", d: "quarantine", eval: "reject", override: "local_policy")])
        #expect(soft.quarantined)

        let kept = try Support.run(Support.handlers(#"{"no_reject_disposition": "none"}"#), from: "<b@reject.example>",
                                   headers: Support.from("u@reject.example"))
        #expect(kept.dmarc == [Self.entry("fail", "reject.example", p: "reject", d: "none", eval: "reject", override: "local_policy")])
        #expect(!kept.quarantined)

        let hard = try Support.run(Support.handlers(#"{"hard_reject": 1}"#), from: "<b@reject.example>",
                                   headers: Support.from("u@reject.example"))
        #expect(hard.rejected)

        // Under dryrun the dispatcher only logs the reject.
        let dry = try Support.run(Support.handlers(#"{"hard_reject": 1}"#), from: "<b@reject.example>",
                                  headers: Support.from("u@reject.example"), settings: .with { $0.dryrun = true })
        #expect(dry.replies == [.continue])
        #expect(dry.log.contains("dryrun: would reply '550 5.7.0 DMARC policy violation' at eom"))
    }

    @Test func pctSamplesOut() throws {
        // pct=50: a draw of 70 is sampled out (reject → quarantine). pct is
        // RFC 7489's (RFC 9989, the default, ignores it).
        let out = try Support.run(Support.handlers(#"{"hard_reject": 1, "discovery": "rfc7489"}"#, draw: 70), from: "<b@half.example>",
                                  headers: Support.from("u@half.example"))
        #expect(out.dmarc == [Self.entry("fail", "half.example", p: "reject", d: "quarantine", eval: "quarantine")])
        #expect(out.quarantined)
        let inside = try Support.run(Support.handlers(#"{"hard_reject": 1, "discovery": "rfc7489"}"#, draw: 10), from: "<b@half.example>",
                                     headers: Support.from("u@half.example"))
        #expect(inside.rejected)
    }

    @Test func subdomainPolicyAndOrganizationalDomainFallback() throws {
        // _dmarc.mail.example.com is absent: example.com's record, its sp.
        let pass = try Support.run(Support.handlers(), from: "<b@example.com>", headers: Support.from("u@mail.example.com"))
        #expect(pass.dmarc == [Self.entry("pass", "mail.example.com", p: "reject", sp: "quarantine", d: "none", eval: "none", from: "sp")])
        let fail = try Support.run(Support.handlers(), from: "<b@none.example>", headers: Support.from("u@mail.example.com"))
        #expect(fail.dmarc == [Self.entry("fail", "mail.example.com", p: "reject", sp: "quarantine", d: "quarantine", eval: "quarantine",
                                          from: "sp")])
        #expect(fail.quarantined)
        // Without sp the fallback record's p applies.
        let plain = try Support.run(Support.handlers(), from: "<b@plain.example>", headers: Support.from("u@sub.plain.example"))
        #expect(plain.dmarc == [Self.entry("fail", "sub.plain.example", p: "reject", d: "quarantine", eval: "reject",
                                           override: "local_policy")])
    }

    @Test func noRecordTemperrorAndHideNone() throws {
        let none = try Support.run(Support.handlers(), from: "<b@nopolicy.example>", headers: Support.from("u@nopolicy.example"))
        #expect(none.dmarc == [Self.entry("none", "nopolicy.example", p: "none", d: "none", eval: "none")])
        // As in Perl: with hide_none nothing is left, which is a bare permerror.
        let hidden = try Support.run(Support.handlers(#"{"hide_none": 1}"#), from: "<b@nopolicy.example>",
                                     headers: Support.from("u@nopolicy.example"))
        #expect(hidden.dmarc == ["dmarc=permerror"])
        let slow = try Support.run(Support.handlers(), from: "<b@slow.example>", headers: Support.from("u@slow.example"))
        #expect(slow.dmarc == ["dmarc=temperror header.from=slow.example"])
        let noFrom = try Support.run(Support.handlers(), from: "<b@none.example>", headers: [("Subject", "no from")])
        // The newest Perl release names why (was a bare permerror).
        #expect(noFrom.dmarc == ["dmarc=permerror (no parseable from domain)"])
        let invalid = try Support.run(Support.handlers(), from: "<b@none.example>", headers: Support.from("u@localhost"))
        #expect(invalid.dmarc == ["dmarc=permerror (from header invalid) header.from=localhost"])
        let badEnvelope = try Support.run(Support.handlers(), from: "<b@localhost>", headers: Support.from("u@none.example"))
        #expect(badEnvelope.dmarc == ["dmarc=permerror (envelope from invalid) header.from=none.example"])
    }

    @Test func everyFromDomainOnce() throws {
        let run = try Support.run(Support.handlers(), from: "<>",
                                  headers: Support.from("a@reject.example, b@none.example", [("From", "c@reject.example")]))
        #expect(Set(run.dmarc) == [
            Self.entry("fail", "reject.example", p: "reject", d: "quarantine", eval: "reject", override: "local_policy"),
            Self.entry("fail", "none.example", p: "none", d: "none", eval: "none"),
        ])
        #expect(run.dmarc.count == 2 && run.quarantined)
    }

    @Test func multiFromLimits() throws {
        let four = Support.from("a@none.example, b@nopolicy.example, c@plain.example, d@quarantine.example")
        // 1st evaluated, 2nd skipped, 3rd quarantines, 4th skipped.
        let run = try Support.run(Support.handlers(#"{"skip_on_multifrom": 2, "quarantine_on_multifrom": 3}"#),
                                  from: "<b@none.example>", headers: four)
        #expect(run.dmarc == [Self.entry("fail", "none.example", p: "none", d: "none", eval: "none")])
        #expect(run.quarantined)
        let rejected = try Support.run(Support.handlers(#"{"reject_on_multifrom": 2}"#), from: "<b@none.example>", headers: four)
        #expect(rejected.rejected)
    }

    @Test func listMailIsNotRejected() throws {
        let config = #"{"hard_reject": 1, "no_list_reject": 1, "detect_list_id": 1}"#
        let run = try Support.run(Support.handlers(config), from: "<b@reject.example>",
                                  headers: Support.from("u@reject.example", [("List-Id", "<x.list.example>")]))
        #expect(run.dmarc == [Self.entry("fail", "reject.example", p: "reject", d: "none", eval: "reject", override: "mailing_list",
                                         list: true)])
        #expect(!run.rejected && !run.quarantined)
        // List-Post counts too; detect_list_id off hides the comment part.
        let post = try Support.run(Support.handlers(#"{"hard_reject": 1, "no_list_reject": 1, "no_list_reject_disposition": "quarantine"}"#),
                                   from: "<b@reject.example>", headers: Support.from("u@reject.example", [("List-Post", "<mailto:l@x>")]))
        #expect(post.dmarc == [Self.entry("fail", "reject.example", p: "reject", d: "quarantine", eval: "reject",
                                          override: "mailing_list")])
        #expect(post.quarantined)
        // Without no_list_reject a list is only noted.
        let noted = try Support.run(Support.handlers(#"{"hard_reject": 1, "detect_list_id": 1}"#), from: "<b@reject.example>",
                                    headers: Support.from("u@reject.example", [("List-Id", "<x.list.example>")]))
        #expect(noted.rejected)
    }

    @Test func whitelist() throws {
        let byIP = try Support.run(Support.handlers(#"{"hard_reject": 1, "whitelisted": ["192.0.2.0/24"]}"#), from: "<b@reject.example>",
                                   headers: Support.from("u@reject.example"))
        #expect(byIP.dmarc == [Self.entry("fail", "reject.example", p: "reject", d: "none", eval: "reject", override: "trusted_forwarder")])
        // spf:<domain> needs an SPF pass for that domain.
        let bySPF = try Support.run(Support.handlers(#"{"hard_reject": 1, "whitelisted": ["spf:example.com"]}"#),
                                    from: "<b@example.com>", headers: Support.from("u@reject.example"))
        #expect(bySPF.dmarc == [Self.entry("fail", "reject.example", p: "reject", d: "none", eval: "reject", override: "trusted_forwarder")])
        let other = try Support.run(Support.handlers(#"{"hard_reject": 1, "whitelisted": ["dkim:example.com", "203.0.113.0/24"]}"#),
                                    from: "<b@reject.example>", headers: Support.from("u@reject.example"))
        #expect(other.rejected)
    }

    @Test func skippedForLocalClients() throws {
        let handlers = try Support.handlers()
        let harness = Harness(handlers: handlers, settings: .with { $0.indentStyle = .none }, resolver: try Support.zone())
        harness.openConnection()
        harness.session.isLocalIP = true
        let replies = harness.sendMessage(from: "<b@reject.example>", headers: Support.from("u@reject.example"))
        #expect(!replies.contains { if case .insertHeader(_, _, let value) = $0 { return value.contains("dmarc=") } else { return false } })
    }
}
