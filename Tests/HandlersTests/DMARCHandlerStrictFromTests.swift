import Handlers
import MailAuth
import Testing

/// The DMARC handler's From with the strict parser (the newest Perl
/// release's Email::Address::XS): a field that does not parse names no
/// domain, so no domain an attacker chose is evaluated; `strict_multifrom`.
@Suite struct DMARCHandlerStrictFromTests {
    typealias Support = DMARCHandlerTestSupport

    static func entry(_ result: String, _ domain: String, p: String, d: String, eval: String,
                      override: String? = nil) -> String {
        DMARCHandlerTests.entry(result, domain, p: p, d: d, eval: eval, override: override)
    }

    @Test func severalAtSignsAreAPermerrorAndTheMailIsAccepted() throws {
        // Issue 11 item 11: the lenient parser evaluated reject.example and
        // rejected; Perl writes a permerror and accepts.
        let run = try Support.run(Support.handlers(#"{"hard_reject": 1}"#), from: "<b@none.example>",
                                  headers: Support.from("a@b@reject.example"))
        #expect(run.dmarc == ["dmarc=permerror (from header invalid)"])
        #expect(!run.rejected && !run.quarantined)
    }

    @Test func anAngleAddressInsideAQuotedLocalPartIsNotTheDomain() throws {
        // The attacker's reject.example sits in the local part: only
        // none.example, the real domain, is evaluated.
        let hidden = try Support.run(Support.handlers(#"{"hard_reject": 1}"#), from: "<b@none.example>",
                                     headers: Support.from("\"a <x@reject.example>\"@none.example"))
        #expect(hidden.dmarc == [Self.entry("fail", "none.example", p: "none", d: "none", eval: "none")])
        #expect(!hidden.rejected)
        // The other way round the real domain's reject applies.
        let real = try Support.run(Support.handlers(#"{"hard_reject": 1}"#), from: "<b@none.example>",
                                   headers: Support.from("\"a <x@none.example>\"@reject.example"))
        #expect(real.rejected)
        // In a quoted display name it is only a name.
        let named = try Support.run(Support.handlers(), from: "<b@none.example>",
                                    headers: Support.from("\"Bank <ceo@reject.example>\" <x@none.example>"))
        #expect(named.dmarc == [Self.entry("fail", "none.example", p: "none", d: "none", eval: "none")])
    }

    /// Group forms Email::Address::XS accepts (a group without a name, a
    /// group the end of the field closes) are evaluated, as Perl evaluates
    /// them: refusing them would turn Perl's reject into a permerror the
    /// mail passes with.
    @Test(arguments: [": ceo@reject.example;", "Staff: ceo@reject.example", "a@none.example, g: ceo@reject.example"])
    func groupFormsPerlAcceptsAreEvaluated(field: String) throws {
        let rejecting = try Support.run(Support.handlers(#"{"hard_reject": 1}"#), from: "<b@none.example>",
                                        headers: Support.from(field))
        #expect(rejecting.rejected)
        let run = try Support.run(Support.handlers(), from: "<b@none.example>", headers: Support.from(field))
        #expect(run.dmarc.contains(Self.entry("fail", "reject.example", p: "reject", d: "quarantine", eval: "reject",
                                              override: "local_policy")), "\(run.dmarc)")
    }

    @Test func fromFieldsWithoutADomain() throws {
        let cases: [(headers: [(String, String)], entry: String)] = [
            (Support.from("Undisclosed recipients:;"), "dmarc=permerror (no parseable from domain)"),
            (Support.from(""), "dmarc=permerror (no parseable from domain)"),
            ([("Subject", "no from")], "dmarc=permerror (no parseable from domain)"),
            (Support.from("foo"), "dmarc=permerror (from header invalid)"),
            (Support.from("Bank <ceo@reject.example> <x@none.example>"), "dmarc=permerror (from header invalid)"),
            (Support.from("<>"), "dmarc=permerror (from header invalid)"),
        ]
        for item in cases {
            let run = try Support.run(Support.handlers(#"{"hard_reject": 1}"#), from: "<b@none.example>", headers: item.headers)
            #expect(run.dmarc == [item.entry])
            #expect(!run.rejected && !run.quarantined)
        }
    }

    @Test func aFieldThatDoesNotParseLeavesTheOthers() throws {
        // A second, garbled From does not hide the first one's policy.
        let run = try Support.run(Support.handlers(#"{"hard_reject": 1}"#), from: "<b@none.example>",
                                  headers: Support.from("u@reject.example", [("From", "a@b@none.example")]))
        #expect(run.rejected)
    }

    @Test func strictMultiFromQuarantinesOrRejects() throws {
        let two = Support.from("a@none.example, b@nopolicy.example")
        let expected = [
            Self.entry("fail", "none.example", p: "none", d: "none", eval: "none"),
            Self.entry("none", "nopolicy.example", p: "none", d: "none", eval: "none"),
        ]
        let lenient = try Support.run(Support.handlers(), from: "<b@none.example>", headers: two)
        #expect(lenient.dmarc == expected && !lenient.quarantined)
        // The entries stay; the message is quarantined ...
        let strict = try Support.run(Support.handlers(#"{"strict_multifrom": 1}"#), from: "<b@none.example>", headers: two)
        #expect(strict.dmarc == expected && strict.quarantined)
        // ... or, with hard_reject, rejected; two From fields count alike.
        let fields = Support.from("a@none.example", [("From", "b@nopolicy.example")])
        let rejected = try Support.run(Support.handlers(#"{"strict_multifrom": 1, "hard_reject": 1}"#),
                                       from: "<b@none.example>", headers: fields)
        #expect(rejected.rejected)
        // One domain, however often and in whatever case, is not several.
        let same = try Support.run(Support.handlers(#"{"strict_multifrom": 1}"#), from: "<b@none.example>",
                                   headers: Support.from("a@none.example, b@NONE.example", [("From", "c@none.example")]))
        #expect(same.dmarc == [expected[0]] && !same.quarantined)
        #expect(try DMARCHandler(config: Support.node("{}"), publicSuffixList: Support.psl).strictMultiFrom == false)
        #expect(DMARCHandler.configKeys.contains("strict_multifrom"))
    }
}
