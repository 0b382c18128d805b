@testable import MailAuth
import Testing

/// The strict address parser, case by case: what a field lists (each
/// mailbox as `addrSpec`), or the exact error that refuses it.
@Suite struct MailboxListParserTests {
    /// A field and the addr-specs it lists (in order).
    static let accepted: [(field: String, addresses: [String])] = [
        ("a@example.com", ["a@example.com"]),
        ("Joe <joe@example.com>", ["joe@example.com"]),
        ("<joe@example.com>", ["joe@example.com"]),
        ("\"Joe Q. Public\" <john.q.public@example.com>", ["john.q.public@example.com"]),
        // The angle address is inside the quoted local part: the domain is
        // victim.example, never junk.com (OpenDMARC issue 243).
        ("\"a <x@junk.com>\"@victim.example", ["\"a <x@junk.com>\"@victim.example"]),
        // ... and inside a quoted display name it is only a name.
        ("\"Bank <ceo@bank.example>\" <x@evil.example>", ["x@evil.example"]),
        // A quoted local part that is an atom needs no quotes.
        ("\"alice\"@spf-macro.net", ["alice@spf-macro.net"]),
        ("<\"a b\"@spf-pass.net>", ["\"a b\"@spf-pass.net"]),
        ("\"a\\\"b\"@example.com", ["\"a\\\"b\"@example.com"]),
        // Groups.
        ("Undisclosed recipients:;", []),
        ("g: a@x.example, b@y.example;", ["a@x.example", "b@y.example"]),
        ("g: a@x.example;, c@z.example", ["a@x.example", "c@z.example"]),
        ("g:(empty) ;", []),
        // Comments, nested, with @ and <> inside.
        ("joe@example.com (Joe @ work)", ["joe@example.com"]),
        ("(x@evil.example) joe@good.example", ["joe@good.example"]),
        ("Joe (nested (x@evil.example) <y@evil.example>) <joe@good.example>", ["joe@good.example"]),
        ("joe(c)@(c)example(c).(c)com", ["joe@example.com"]),
        ("(a \\) b) <joe@example.com>", ["joe@example.com"]),
        // Encoded words are atoms and stay encoded.
        ("=?UTF-8?B?Sm9lIDxqb2VAZXZpbC5leGFtcGxlPg==?= <joe@good.example>", ["joe@good.example"]),
        ("=?iso-8859-1?q?J=F6rg?= <j@example.de>", ["j@example.de"]),
        // UTF-8 (RFC 6532) names, local parts and domains.
        ("Jörg <jörg@bücher.example>", ["jörg@bücher.example"]),
        ("用户@例子.广告", ["用户@例子.广告"]),
        // Obsolete forms.
        ("<@route.example,@other.example:user@example.com>", ["user@example.com"]),
        ("\"a\".b@example.com", ["a.b@example.com"]),
        ("a . b @ example . com", ["a.b@example.com"]),
        ("J. Smith <j@example.com>", ["j@example.com"]),
        ("a@example.com,", ["a@example.com"]),
        ("a@[192.0.2.1]", ["a@[192.0.2.1]"]),
        // Folding.
        ("Joe\r\n <joe@example.com>", ["joe@example.com"]),
        ("\"Joe\r\n Public\" <joe@example.com>", ["joe@example.com"]),
        ("a@x.example, b@y.example", ["a@x.example", "b@y.example"]),
        // Nothing listed is not an error.
        ("", []),
        ("  ", []),
    ]

    @Test(arguments: accepted)
    func accepts(field: String, addresses: [String]) throws {
        let list = try MailboxListParser.parse(field).get()
        #expect(list.mailboxes.map(\.addrSpec) == addresses)
        #expect(list.mailboxCount == addresses.count)
    }

    /// A field and the error that refuses it.
    static let refused: [(field: String, error: AddressListParseError)] = [
        ("a@b@example.net", .unexpectedCharacter(UInt8(ascii: "@"), at: 3)),
        ("foo", .missingAt(at: 3)),
        ("foo bar", .unexpectedCharacter(UInt8(ascii: "b"), at: 4)),
        ("@example.com", .missingLocalPart(at: 0)),
        ("a@", .missingDomain(at: 2)),
        ("<>", .emptyAngleAddress(at: 0)),
        ("Joe <>", .emptyAngleAddress(at: 4)),
        // An angle address after one: which one is the author?
        ("Bank <ceo@bank.example> <x@evil.example>", .unexpectedCharacter(UInt8(ascii: "<"), at: 24)),
        ("a@b.example <c@d.example>", .unexpectedCharacter(UInt8(ascii: "<"), at: 12)),
        ("<a@example.com", .unterminatedAngleAddress(at: 0)),
        ("\"a <x@junk.com>@victim.example", .unterminatedQuotedString(at: 0)),
        ("(unclosed <a@b.example>", .unterminatedComment(at: 0)),
        ("a@[192.0.2.1", .unterminatedDomainLiteral(at: 2)),
        ("g: h: a@x.example;;", .unexpectedCharacter(UInt8(ascii: ":"), at: 4)),
        ("a..b@example.com", .misplacedDot(at: 1)),
        (".a@example.com", .misplacedDot(at: 0)),
        ("a.@example.com", .misplacedDot(at: 1)),
        ("a@example..com", .misplacedDot(at: 9)),
        ("a@example.com.", .misplacedDot(at: 13)),
        ("a@x.example,, b@y.example", .emptyListElement(at: 12)),
        (", a@x.example", .emptyListElement(at: 0)),
        ("a@exa\u{0}mple.com", .unexpectedCharacter(0, at: 5)),
        ("\"a\u{0}\"@example.com", .forbiddenCharacter(0, at: 2)),
        ("\"a\rb\"@example.com", .forbiddenCharacter(13, at: 2)),
        ("a@[192.0.2.\u{1}]", .forbiddenCharacter(1, at: 11)),
        ("<@route.example user@example.com>", .invalidRoute(at: 16)),
        ("a@b.example; c@d.example", .unexpectedCharacter(UInt8(ascii: ";"), at: 11)),
    ]

    @Test(arguments: refused)
    func refuses(field: String, error: AddressListParseError) {
        #expect(MailboxListParser.parse(field) == .failure(error))
    }

    @Test func partsOfAMailbox() throws {
        let list = try MailboxListParser.parse(
            "Team: \"Doe, J\" <@relay.example:j@Example.COM>, (c) =?utf-8?q?B?= <b@b.example>;").get()
        #expect(list.groupNames == ["Team"])
        #expect(list.mailboxes == [
            MailboxAddress(displayName: "Doe, J", group: "Team", route: ["relay.example"], localPart: "j", domain: "Example.COM"),
            MailboxAddress(displayName: "=?utf-8?q?B?=", group: "Team", localPart: "b", domain: "b.example"),
        ])
        #expect(list.domains == ["example.com", "b.example"])
        #expect(list.singleMailbox == nil)
        #expect(MailboxListParser.singleMailbox("<\"alice\"@spf-macro.net>")?.addrSpec == "alice@spf-macro.net")
        #expect(MailboxListParser.singleMailbox("a@x.example, b@y.example") == nil)
        #expect(MailboxListParser.singleMailbox("Undisclosed recipients:;") == nil)
        #expect(MailboxListParser.singleMailbox("g: a@x.example;") == nil)
    }

    @Test func localPartsAreQuotedOnlyWhenNeeded() {
        #expect(MailboxAddress(localPart: "a.b", domain: "x").addrSpec == "a.b@x")
        #expect(MailboxAddress(localPart: ".a", domain: "x").addrSpec == "\".a\"@x")
        #expect(MailboxAddress(localPart: "", domain: "x").addrSpec == "\"\"@x")
        #expect(MailboxAddress(localPart: "a\\b\tc", domain: "x").addrSpec == "\"a\\\\b\\\tc\"@x")
        #expect(MailboxAddress(localPart: "jörg", domain: "x").addrSpec == "jörg@x")
    }
}

@Suite struct MailboxListParserBoundsTests {
    @Test func lengthIsCheckedFirst() {
        let text = String(repeating: "a", count: 65)
        #expect(MailboxListParser.parse(text, maximumLength: 64) == .failure(.inputTooLong(length: 65, limit: 64)))
    }

    @Test func hugeFieldsAreLinearAndKeepABoundedNumber() throws {
        // 40,000 mailboxes (about 1 MB): every one checked, 1,000 kept.
        let text = (0..<40_000).map { "u\($0)@d\($0).example" }.joined(separator: ", ")
        let list = try MailboxListParser.parse(text, keepingAtMost: 1_000).get()
        #expect(list.mailboxCount == 40_000 && list.mailboxes.count == 1_000)
        #expect(list.mailboxes.last?.addrSpec == "u999@d999.example")
        // An error at the very end still refuses the whole field.
        #expect(MailboxListParser.parse(text + ", x@", keepingAtMost: 1_000) == .failure(.missingDomain(at: text.utf8.count + 4)))
    }

    @Test func pathologicalInputsEndQuickly() throws {
        let deep = String(repeating: "(", count: 500_000)
        #expect(MailboxListParser.parse(deep) == .failure(.unterminatedComment(at: 0)))
        let words = String(repeating: "a ", count: 300_000)
        #expect(MailboxListParser.parse(words) == .failure(.unexpectedCharacter(UInt8(ascii: "a"), at: 2)))
        let quotes = String(repeating: "\"x\" ", count: 200_000) + "<a@b.example>"
        #expect(try MailboxListParser.parse(quotes).get().mailboxes.map(\.addrSpec) == ["a@b.example"])
        let dots = "a" + String(repeating: " . a", count: 200_000) + "@example.com"
        #expect(try MailboxListParser.parse(dots).get().mailboxCount == 1)
    }
}

/// The parser's refusals name their code and a reason with the offset.
@Suite struct AddressListParseErrorCodeTests {
    @Test func refusalsNameTheirCodeAndOffset() {
        guard case .failure(let error) = MailboxListParser.parse("joe@") else {
            Issue.record("joe@ parsed")
            return
        }
        #expect(error.code == .missingDomain)
        #expect(error.offset == 4)
        #expect(error.reason == "missing domain at byte 4")
        #expect(AddressListParseError.forbiddenCharacter(0, at: 3).reason == "forbidden character 0x0 at byte 3")
    }
}
