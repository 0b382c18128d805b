import MailAuth
import Testing

/// Expected outputs retyped from Mail::AuthenticationResults' own test suite
/// (t/05-as_string-styles.t, t/05-as_string-wrap.t, t/05-eol.t), with the
/// parsed input rebuilt through the Swift model.
@Suite struct AuthenticationResultsModuleTests {
    static let stylesHeader = AuthenticationResultsHeader(authservID: "test.example.com", entries: [
        AuthResultsEntry(method: "iprev", result: "fail", properties: [
            AuthResultsProperty(key: "policy.iprev", value: "123.123.123.123", comment: AuthResultsComment("NOT FOUND")),
        ]),
        AuthResultsEntry(method: "x-ptr", result: "fail", properties: [
            AuthResultsProperty(key: "x-ptr-helo", value: "bad.name.google.com"),
            AuthResultsProperty(key: "x-ptr-lookup", value: ""),
        ]),
        AuthResultsEntry(method: "spf", result: "fail", properties: [
            AuthResultsProperty(type: "smtp", name: "mailfrom", value: "test@goestheweasel.com"),
            AuthResultsProperty(type: "smtp", name: "helo", value: "bad.name.google.com"),
        ]),
        AuthResultsEntry(method: "dkim", result: "none", comment: AuthResultsComment("no signatures found")),
        AuthResultsEntry(method: "x-google-dkim", result: "none", comment: AuthResultsComment("no signatures found")),
        AuthResultsEntry(method: "dmarc", result: "fail", comment: AuthResultsComment("p=none,d=none"), properties: [
            AuthResultsProperty(key: "header.from", value: "marcbradshaw.net"),
        ]),
        AuthResultsEntry(method: "dmarc", result: "fail", comment: AuthResultsComment("p=reject,d=reject"), properties: [
            AuthResultsProperty(key: "header.from", value: "goestheweasel.com"),
        ]),
        AuthResultsEntry(method: "dmarc", result: "none", comment: AuthResultsComment("p=none,d=none"), properties: [
            AuthResultsProperty(key: "header.from", value: "example.com"),
        ]),
    ])

    @Test func styleNone() {
        #expect(Self.stylesHeader.value(style: .none) == """
            test.example.com; iprev=fail policy.iprev=123.123.123.123 (NOT FOUND); x-ptr=fail x-ptr-helo=bad.name.google.com x-ptr-lookup=""; spf=fail smtp.mailfrom=test@goestheweasel.com smtp.helo=bad.name.google.com; dkim=none (no signatures found); x-google-dkim=none (no signatures found); dmarc=fail (p=none,d=none) header.from=marcbradshaw.net; dmarc=fail (p=reject,d=reject) header.from=goestheweasel.com; dmarc=none (p=none,d=none) header.from=example.com
            """)
    }

    @Test func styleEntry() {
        #expect(Self.stylesHeader.value(style: .entry) == """
            test.example.com;
                iprev=fail policy.iprev=123.123.123.123 (NOT FOUND);
                x-ptr=fail x-ptr-helo=bad.name.google.com x-ptr-lookup="";
                spf=fail smtp.mailfrom=test@goestheweasel.com smtp.helo=bad.name.google.com;
                dkim=none (no signatures found);
                x-google-dkim=none (no signatures found);
                dmarc=fail (p=none,d=none) header.from=marcbradshaw.net;
                dmarc=fail (p=reject,d=reject) header.from=goestheweasel.com;
                dmarc=none (p=none,d=none) header.from=example.com
            """)
    }

    @Test func styleSubentry() {
        #expect(Self.stylesHeader.value(style: .subentry) == """
            test.example.com;
                iprev=fail
                    policy.iprev=123.123.123.123 (NOT FOUND);
                x-ptr=fail
                    x-ptr-helo=bad.name.google.com
                    x-ptr-lookup="";
                spf=fail
                    smtp.mailfrom=test@goestheweasel.com
                    smtp.helo=bad.name.google.com;
                dkim=none (no signatures found);
                x-google-dkim=none (no signatures found);
                dmarc=fail (p=none,d=none)
                    header.from=marcbradshaw.net;
                dmarc=fail (p=reject,d=reject)
                    header.from=goestheweasel.com;
                dmarc=none (p=none,d=none)
                    header.from=example.com
            """)
    }

    @Test func styleFull() {
        #expect(Self.stylesHeader.value(style: .full) == """
            test.example.com;
                iprev=fail
                    policy.iprev=123.123.123.123
                        (NOT FOUND);
                x-ptr=fail
                    x-ptr-helo=bad.name.google.com
                    x-ptr-lookup="";
                spf=fail
                    smtp.mailfrom=test@goestheweasel.com
                    smtp.helo=bad.name.google.com;
                dkim=none
                    (no signatures found);
                x-google-dkim=none
                    (no signatures found);
                dmarc=fail
                    (p=none,d=none)
                    header.from=marcbradshaw.net;
                dmarc=fail
                    (p=reject,d=reject)
                    header.from=goestheweasel.com;
                dmarc=none
                    (p=none,d=none)
                    header.from=example.com
            """)
    }

    @Test func defaultsAreEntryStyleIndentFour() {
        #expect(Self.stylesHeader.value() == Self.stylesHeader.value(style: .entry, indentBy: 4, foldAt: 0))
    }

    static let eolHeader = AuthenticationResultsHeader(
        authservID: "test.example.com", entries: Array(stylesHeader.entries.prefix(2)))

    @Test func lineFeedIsTheDefaultLineBreak() {
        #expect(Self.eolHeader.value(style: .entry) ==
            "test.example.com;\n    iprev=fail policy.iprev=123.123.123.123 (NOT FOUND);\n    x-ptr=fail x-ptr-helo=bad.name.google.com x-ptr-lookup=\"\"")
    }

    @Test func crlfLineBreak() {
        #expect(Self.eolHeader.value(style: .entry, eol: .crlf) ==
            "test.example.com;\r\n    iprev=fail policy.iprev=123.123.123.123 (NOT FOUND);\r\n    x-ptr=fail x-ptr-helo=bad.name.google.com x-ptr-lookup=\"\"")
    }

    static let wrapHeader = AuthenticationResultsHeader(authservID: "test.example.com", entries: [
        AuthResultsEntry(method: "foo", result: "bar", properties: (1...6).map {
            AuthResultsProperty(key: "string\($0)", value: "string")
        }),
    ])

    @Test func wrapNoFolding() {
        #expect(Self.wrapHeader.value(style: .none) ==
            "test.example.com; foo=bar string1=string string2=string string3=string string4=string string5=string string6=string")
    }

    @Test func wrapExtraShortFoldSplitsAfterEquals() {
        #expect(Self.wrapHeader.value(style: .entry, foldAt: 18) == """
            test.example.com;
                foo=bar
                  string1=
                  string
                  string2=
                  string
                  string3=
                  string
                  string4=
                  string
                  string5=
                  string
                  string6=
                  string
            """)
    }

    @Test func wrapShortFold() {
        #expect(Self.wrapHeader.value(style: .entry, foldAt: 21) == """
            test.example.com;
                foo=bar
                  string1=string
                  string2=string
                  string3=string
                  string4=string
                  string5=string
                  string6=string
            """)
    }

    @Test func wrapLongerFold() {
        #expect(Self.wrapHeader.value(style: .entry, foldAt: 40) == """
            test.example.com;
                foo=bar string1=string
                  string2=string string3=string
                  string4=string string5=string
                  string6=string
            """)
    }
}
