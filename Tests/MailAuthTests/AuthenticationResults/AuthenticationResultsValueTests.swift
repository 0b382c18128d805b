import MailAuth
import Testing

/// Cleaning and quoting of values, comments and versions, following the Perl
/// module's `safe_set_value` and `stringify` (t/02-safe_set.t and
/// t/02-comment.t give the first cases; the rest were checked against the
/// Perl module).
@Suite struct AuthenticationResultsValueTests {
    @Test(arguments: [
        ("", "test=\"\""),
        ("With space", "test=\"With space\""),
        ("pass;", "test=pass"),
        ("with(parens)", "test=\"with parens\""),
        ("With\nnewline", "test=\"With newline\""),
        ("With\rreturn", "test=\"With return\""),
    ])
    func propertyValueCleaning(raw: String, rendered: String) {
        #expect(AuthResultsProperty(key: "test", value: raw).rendered == rendered)
    }

    @Test(arguments: [
        ("user@example.com", "smtp.mailfrom=user@example.com"),
        ("\"quoted\"@example.com", "smtp.mailfrom=\"quoted @example.com\""),
        ("a;b@example.com", "smtp.mailfrom=\"a b@example.com\""),
        ("a=b@example.com", "smtp.mailfrom=\"a=b@example.com\""),
        ("  padded@example.com\t", "smtp.mailfrom=padded@example.com"),
        ("back\\slash", "smtp.mailfrom=\"back slash\""),
        ("2001:db8::1", "smtp.mailfrom=2001:db8::1"),
        ("0", "smtp.mailfrom=0"),
        ("a/b,c:d", "smtp.mailfrom=a/b,c:d"),
    ])
    func quotingFollowsThePerlModule(raw: String, rendered: String) {
        #expect(AuthResultsProperty(type: "smtp", name: "mailfrom", value: raw).rendered == rendered)
    }

    @Test func assigningAValueCleansIt() {
        var property = AuthResultsProperty(key: "smtp.helo", value: "ok")
        property.value = "(bad\"name)"
        #expect(property.value == "bad name")
        var entry = AuthResultsEntry(method: "spf", result: "pass")
        entry.result = " fail; "
        #expect(entry.result == "fail")
    }

    @Test func keySplitsAtFirstDot() {
        let property = AuthResultsProperty(key: "policy.dmarc.extra", value: "x")
        #expect(property.type == "policy")
        #expect(property.name == "dmarc.extra")
        #expect(property.key == "policy.dmarc.extra")
        #expect(AuthResultsProperty(key: "x-ptr-helo", value: "x").type == "")
        #expect(AuthResultsProperty(key: ".odd", value: "x").key == ".odd")
    }

    @Test(arguments: [
        ("a(b", "a b"),
        ("a)b", "a b"),
        ("a((b)", "a  b"),
        ("(b))a", "b  a"),
        (")(", ""),
        ("foo", "foo"),
        ("foo(bar)", "foo(bar)"),
        ("  a (nested) comment ", "a (nested) comment"),
        ("tab\there\r\nnext", "tab here  next"),
        ("quote \" and ; stay", "quote \" and ; stay"),
    ])
    func commentCleaning(raw: String, text: String) {
        let comment = AuthResultsComment(raw)
        #expect(comment.text == text)
        #expect(comment.rendered == "(" + text + ")")
    }

    @Test(arguments: [
        ("1", "dkim=pass / 1 header.d=example.com"),
        ("v2x", "dkim=pass / 2 header.d=example.com"),
        ("AString", "dkim=pass / 1 header.d=example.com"),
        ("12345", "dkim=pass / 12345 header.d=example.com"),
    ])
    func versionIsWrittenAfterTheResult(version: String, rendered: String) {
        let entry = AuthResultsEntry(method: "dkim", result: "pass", version: version,
                                     properties: [AuthResultsProperty(key: "header.d", value: "example.com")])
        #expect(entry.version != nil)
        #expect(entry.sortKey == rendered)
    }

    @Test func entryWithVersionInAHeader() {
        let entry = AuthResultsEntry(method: "dkim", result: "pass", version: "1",
                                     comment: AuthResultsComment("good"),
                                     properties: [AuthResultsProperty(key: "header.d", value: "example.com")])
        let header = AuthenticationResultsHeader(authservID: "mx.example.com", entries: [entry])
        #expect(header.value() == "mx.example.com;\n    dkim=pass / 1 (good) header.d=example.com")
        #expect(header.value(style: .subentry) == "mx.example.com;\n    dkim=pass / 1 (good)\n        header.d=example.com")
    }

    @Test func emptyZeroAndMixedValues() {
        let header = AuthenticationResultsHeader(authservID: "mx.example.com", entries: [
            AuthResultsEntry(method: "spf", result: "pass", properties: [
                AuthResultsProperty(key: "smtp.mailfrom", value: ""),
                AuthResultsProperty(key: "smtp.helo", value: "0"),
                AuthResultsProperty(key: "policy.x", value: "a\tb\r\nc=d"),
                AuthResultsProperty(key: "policy.y", value: "back\\slash"),
            ]),
        ])
        #expect(header.value() == """
            mx.example.com;
                spf=pass smtp.mailfrom="" smtp.helo=0 policy.x="a b  c=d" policy.y="back slash"
            """)
    }

    @Test func commentsInFullStyle() {
        let header = AuthenticationResultsHeader(authservID: "mx.example.com", entries: [
            AuthResultsEntry(method: "dkim", result: "fail", parts: [
                .comment(AuthResultsComment("a (nested) comment")),
                .comment(AuthResultsComment("unbalanced ) one")),
                .comment(AuthResultsComment("tab\there")),
                .property(AuthResultsProperty(key: "header.d", value: "example.com", comment: AuthResultsComment("x(y"))),
            ]),
        ])
        #expect(header.value(style: .full) == """
            mx.example.com;
                dkim=fail
                    (a (nested) comment)
                    (unbalanced   one)
                    (tab here)
                    header.d=example.com
                        (x y)
            """)
    }

    /// Lines are measured in bytes, as Perl measures the milter's byte
    /// strings: `é` takes two, so the same text folds where ASCII does not.
    @Test func foldingCountsUTF8Bytes() {
        func header(_ helo: String) -> AuthenticationResultsHeader {
            AuthenticationResultsHeader(authservID: "mx.example.com", entries: [
                AuthResultsEntry(method: "spf", result: "pass",
                                 properties: [AuthResultsProperty(key: "smtp.helo", value: helo)]),
            ])
        }
        #expect(header("helo.example").value(style: .subentry, foldAt: 31) == """
            mx.example.com;
                spf=pass
                    smtp.helo=helo.example
            """)
        #expect(header("hélo.example").value(style: .subentry, foldAt: 31) == """
            mx.example.com;
                spf=pass
                    smtp.helo=
                      hélo.example
            """)
    }
}
