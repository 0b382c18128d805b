import MailAuth
import Testing

/// How authentication_milter names and assembles the header: the authserv-id,
/// the `none` header, `hide_none`, entry order and sort keys.
@Suite struct AuthenticationResultsHeaderTests {
    static let spf = AuthResultsEntry(method: "spf", result: "pass", properties: [
        AuthResultsProperty(key: "smtp.mailfrom", value: "a@example.com"),
    ])

    @Test func noEntriesGivesTheNoneHeader() {
        let header = AuthenticationResultsHeader(authservID: "example.com", entries: [])
        #expect(header.isNone)
        #expect(header.value() == "example.com; none")
        #expect(header.value(style: .full, indentBy: 8, foldAt: 5) == "example.com; none")
    }

    /// The Perl program writes the none header by plain concatenation, so the
    /// authserv-id is neither cleaned nor quoted there.
    @Test func noneHeaderUsesTheAuthservIDAsItIs() {
        let header = AuthenticationResultsHeader(authservID: "mail server (primary)", entries: [])
        #expect(header.value() == "mail server (primary); none")
    }

    /// `hide_none` only ever hides the header that has no entries at all; an
    /// entry whose result is `none` is still a result.
    @Test func entriesWithResultNoneAreNotANoneHeader() {
        let header = AuthenticationResultsHeader(authservID: "example.com", entries: [
            AuthResultsEntry(method: "dkim", result: "none", comment: AuthResultsComment("no signatures found")),
        ])
        #expect(!header.isNone)
        #expect(header.value() == "example.com;\n    dkim=none (no signatures found)")
    }

    @Test func bareNoneEntryRendersWithoutEquals() {
        let header = AuthenticationResultsHeader(authservID: "mx.example.com", entries: [
            AuthResultsEntry(method: "none", result: ""),
        ])
        #expect(header.value() == "mx.example.com;\n    none")
    }

    @Test func authservIDIsCleanedAndQuoted() {
        let withParens = AuthenticationResultsHeader(authservID: "mail server (primary)", entries: [Self.spf])
        #expect(withParens.value() == "\"mail server  primary\";\n    spf=pass smtp.mailfrom=a@example.com")
        let withEquals = AuthenticationResultsHeader(authservID: "a=b.example", entries: [
            AuthResultsEntry(method: "spf", result: "none"),
        ])
        #expect(withEquals.value(style: .none) == "\"a=b.example\"; spf=none")
        let padded = AuthenticationResultsHeader(authservID: "  padded.example  ", entries: [
            AuthResultsEntry(method: "iprev", result: "pass", properties: [
                AuthResultsProperty(key: "policy.iprev", value: "2001:db8::1", comment: AuthResultsComment("host.example")),
            ]),
        ])
        #expect(padded.value() == "padded.example;\n    iprev=pass policy.iprev=2001:db8::1 (host.example)")
    }

    @Test func entriesAreWrittenInTheGivenOrderWithSemicolons() {
        let header = AuthenticationResultsHeader(authservID: "mx.example.com", entries: [
            AuthResultsEntry(method: "x-ptr", result: "pass"), Self.spf,
        ])
        #expect(header.value(style: .none) == "mx.example.com; x-ptr=pass; spf=pass smtp.mailfrom=a@example.com")
    }

    @Test func authservIDChoice() {
        let pick = AuthenticationResultsHeader.authservID
        #expect(pick("configured.example", "j.example", "rcpt.example", "host") == "configured.example")
        #expect(pick(nil, "j.example", "rcpt.example", "host") == "j.example")
        #expect(pick("", "", "rcpt.example", "host") == "rcpt.example")
        #expect(pick("0", nil, nil, "host.example") == "host.example")
    }

    @Test func sortKeyIsTheEntryOnOneLine() {
        let dkim = AuthResultsEntry(method: "dkim", result: "pass",
                                    comment: AuthResultsComment("1024-bit rsa key sha256"),
                                    properties: [AuthResultsProperty(key: "header.d", value: "example.com")])
        #expect(dkim.sortKey == "dkim=pass (1024-bit rsa key sha256) header.d=example.com")
    }

    @Test func commentAfterPropertiesKeepsItsPlace() {
        var entry = AuthResultsEntry(method: "spf", result: "pass", properties: [
            AuthResultsProperty(key: "smtp.mailfrom", value: "u@example.com"),
            AuthResultsProperty(key: "smtp.helo", value: "h.example"),
        ])
        entry.append(AuthResultsComment("spf pass downgraded due to suspicious path"))
        let header = AuthenticationResultsHeader(authservID: "mx.example.com", entries: [entry])
        #expect(header.value() == """
            mx.example.com;
                spf=pass smtp.mailfrom=u@example.com smtp.helo=h.example (spf pass downgraded due to suspicious path)
            """)
        #expect(entry.comment?.text == "spf pass downgraded due to suspicious path")
    }

    @Test func settingPropertiesReplacesThemInPlace() {
        var entry = AuthResultsEntry(method: "dkim", result: "pass", parts: [
            .property(AuthResultsProperty(key: "header.d", value: "a.example")),
            .comment(AuthResultsComment("between")),
            .property(AuthResultsProperty(key: "header.s", value: "s1")),
        ])
        entry.properties = [
            AuthResultsProperty(key: "header.d", value: "b.example"),
            AuthResultsProperty(key: "header.s", value: "s2"),
            AuthResultsProperty(key: "header.a", value: "rsa-sha256"),
        ]
        #expect(entry.sortKey == "dkim=pass header.d=b.example (between) header.s=s2 header.a=rsa-sha256")
        entry.comments = []
        #expect(entry.sortKey == "dkim=pass header.d=b.example header.s=s2 header.a=rsa-sha256")
        #expect(entry.properties.count == 3)
    }
}
