import MailAuth
import Testing

/// RFC 4407 section 2: which header field's mailbox is the Purported
/// Responsible Address.
@Suite struct SenderIDPRATests {
    static func pra(_ fields: [(String, String)]) -> SenderIDPRA? {
        SenderIDPRA.select(from: fields.map { (name: $0.0, value: $0.1) })
    }

    @Test func fromAloneIsThePRA() {
        #expect(Self.pra([("Subject", "hi"), ("From", "Alice <alice@example.com>")])
                == SenderIDPRA(address: "alice@example.com", fieldName: "From"))
        #expect(Self.pra([("FROM", "bob@example.org (Bob)")])?.address == "bob@example.org")
        #expect(Self.pra([("From ", "<carol@example.net>")]) == SenderIDPRA(address: "carol@example.net", fieldName: "From"))
    }

    @Test func senderWinsOverFrom() {
        let fields = [("From", "alice@example.com"), ("Sender", "list-bounces@lists.example.org")]
        #expect(Self.pra(fields) == SenderIDPRA(address: "list-bounces@lists.example.org", fieldName: "Sender"))
    }

    @Test func severalFromOrSenderFieldsHaveNoPRA() {
        #expect(Self.pra([("From", "a@example.com"), ("From", "b@example.com")]) == nil)
        #expect(Self.pra([("Sender", "a@example.com"), ("Sender", "b@example.com"), ("From", "c@example.com")]) == nil)
        // Empty fields do not count.
        #expect(Self.pra([("From", "  "), ("From", "b@example.com")])?.address == "b@example.com")
        #expect(Self.pra([("Sender", ""), ("From", "c@example.com")])?.address == "c@example.com")
    }

    @Test func noCandidateFieldHasNoPRA() {
        #expect(Self.pra([]) == nil)
        #expect(Self.pra([("Subject", "x"), ("To", "a@example.com"), ("Received", "from x")]) == nil)
        #expect(Self.pra([("From", ""), ("Sender", " \t")]) == nil)
    }

    @Test func resentFromWinsOverSenderAndFrom() {
        let fields = [("Resent-From", "fwd@forwarder.example"), ("Sender", "s@example.com"), ("From", "a@example.com")]
        #expect(Self.pra(fields) == SenderIDPRA(address: "fwd@forwarder.example", fieldName: "Resent-From"))
    }

    @Test func resentSenderOfTheNewestBlockWins() {
        let fields = [
            ("Resent-From", "fwd@forwarder.example"),
            ("Resent-Sender", "agent@forwarder.example"),
            ("Received", "from a"),
            ("From", "a@example.com"),
        ]
        #expect(Self.pra(fields) == SenderIDPRA(address: "agent@forwarder.example", fieldName: "Resent-Sender"))
        #expect(Self.pra([("Resent-Sender", "agent@forwarder.example"), ("From", "a@example.com")])?.address
                == "agent@forwarder.example")
    }

    @Test func resentSenderOfAnOlderBlockGivesWayToTheNewerResentFrom() {
        // The newest block (top) has only Resent-From; the Resent-Sender
        // below a Received field belongs to an older resending.
        let received = [
            ("Resent-From", "newest@second.example"),
            ("Received", "from second"),
            ("Resent-From", "older@first.example"),
            ("Resent-Sender", "agent@first.example"),
            ("From", "a@example.com"),
        ]
        #expect(Self.pra(received) == SenderIDPRA(address: "newest@second.example", fieldName: "Resent-From"))
        let returnPath = [("Resent-From", "newest@second.example"), ("Return-Path", "<x@y.example>"),
                          ("Resent-Sender", "agent@first.example")]
        #expect(Self.pra(returnPath)?.address == "newest@second.example")
        // A trace field above both does not separate them.
        let above = [("Received", "from z"), ("Resent-From", "rf@example.org"), ("Resent-Sender", "rs@example.org")]
        #expect(Self.pra(above)?.address == "rs@example.org")
    }

    @Test func theChosenFieldMustHoldOneMailboxWithADomain() {
        #expect(Self.pra([("From", "a@example.com, b@example.com")]) == nil)
        #expect(Self.pra([("From", "A <a@example.com>, <b@example.com>")]) == nil)
        #expect(Self.pra([("From", "undisclosed-recipients:;")]) == nil)
        #expect(Self.pra([("From", "Team: a@example.com, b@example.com;")]) == nil)
        #expect(Self.pra([("From", "no-domain")]) == nil)
        #expect(Self.pra([("From", "<local@>")]) == nil)
        #expect(Self.pra([("From", "<@example.com>")]) == nil)
        // A chosen but malformed Sender does not fall back to From (step 6).
        #expect(Self.pra([("Sender", "nobody"), ("From", "a@example.com")]) == nil)
        // Commas in display names and comments are not list separators.
        #expect(Self.pra([("From", "\"Doe, John\" <john@example.com> (work, mostly)")])?.address == "john@example.com")
    }

    @Test func hostileInputNeverCrashes() {
        let junk = ["<", ">", "<<>>", "\"", "(", ")", "\\", "@", "@@", ",,,", "<@>", "a@", "\u{0}@\u{1}", "é@ü.example",
                    String(repeating: "(", count: 5000), String(repeating: "<a@b>,", count: 2000),
                    "\"unterminated <a@b.example>", "(unterminated a@b.example", "a@b.example\r\n\t(folded)"]
        for value in junk {
            for name in ["From", "Sender", "Resent-From", "Resent-Sender"] {
                let pra = Self.pra([(name, value)])
                if let pra { #expect(pra.address.contains("@")) }
            }
        }
        #expect(Self.pra([("\u{0}", "\u{0}"), ("", "a@b.example")]) == nil)
    }
}
