import MailAuth
import Testing

/// Record parsing (RFC 7208 sections 4.5, 4.6, 5, 6, 7.1, 12): what is
/// accepted, what is a syntax error and how mechanisms print back.
@Suite struct SPFRecordTests {
    @Test func versionTag() {
        #expect(SPFRecord.isVersion1(Array("v=spf1".utf8)))
        #expect(SPFRecord.isVersion1(Array("V=SpF1 -all".utf8)))
        #expect(!SPFRecord.isVersion1(Array("v=spf10".utf8)))
        #expect(!SPFRecord.isVersion1(Array("v=spf1mx".utf8)))
        #expect(!SPFRecord.isVersion1(Array(" v=spf1".utf8)))
        #expect(!SPFRecord.isVersion1(Array("spf2.0/pra".utf8)))
    }

    @Test func parsesEveryMechanismAndModifier() throws {
        let record = try SPFRecord(
            "v=spf1 +all -include:_spf.example.com ~a ?a:%{d}.example.com/24//64 mx/28 mx:mail.example.com "
                + "ptr ptr:example.net ip4:192.0.2.0/24 ip6:2001:DB8::/32 exists:%{ir}.bl.example.org "
                + "redirect=_spf.example.net exp=why.%{d} x-unknown=%{l}  ")
        #expect(record.mechanisms.map(\.description) == [
            "all", "-include:_spf.example.com", "~a", "?a:%{d}.example.com/24//64", "mx/28", "mx:mail.example.com",
            "ptr", "ptr:example.net", "ip4:192.0.2.0/24", "ip6:2001:DB8::/32", "exists:%{ir}.bl.example.org",
        ])
        #expect(record.redirect?.text == "_spf.example.net")
        #expect(record.explanation?.text == "why.%{d}")
        #expect(record.otherModifiers.map(\.name) == ["x-unknown"])
        #expect(record.mechanisms[3].kind == .a(try SPFMacroString("%{d}.example.com", kind: .domainSpec), ip4Prefix: 24, ip6Prefix: 64))
    }

    @Test func defaultPrefixLengthsAreNotPrinted() throws {
        let record = try SPFRecord("v=spf1 a/32//128 ip4:192.0.2.1/32 ip6:2001:db8::1/128 mx//64")
        #expect(record.mechanisms.map(\.description) == ["a", "ip4:192.0.2.1", "ip6:2001:DB8::1", "mx//64"])
    }

    @Test func namesAreCaseInsensitive() throws {
        let record = try SPFRecord("v=spf1 A MX:Example.COM IP4:192.0.2.1 -ALL REDIRECT=example.org")
        #expect(record.mechanisms.map(\.name) == ["a", "mx", "ip4", "all"])
        #expect(record.redirect?.text == "example.org")
    }

    @Test func domainSpecMayHoldSlashesAndColons() throws {
        let record = try SPFRecord("v=spf1 a:foo:bar/baz.example.com mx:foo.example.com/24")
        #expect(record.mechanisms.map(\.description) == ["a:foo:bar/baz.example.com", "mx:foo.example.com/24"])
    }

    @Test(arguments: [
        "v=spf1 ip4:1.2.3.4 -all moo",              // junk anywhere
        "v=spf1 moo.cow/far_out=man:dog/cat",       // "/" before "=": not a modifier name
        "v=spf1 redirect:example.com",              // a modifier written as a mechanism
        "v=spf1 -all.", "v=spf1 -all:foo", "v=spf1 -all/8",
        "v=spf1 ptr/0", "v=spf1 ptr:",
        "v=spf1 a/33", "v=spf1 a//129", "v=spf1 a/24/64", "v=spf1 a/032", "v=spf1 a:", "v=spf1 a:museum",
        "v=spf1 a:museum.", "v=spf1 a:abc.123", "v=spf1 a:example.-com", "v=spf1 a:example.com:8080",
        "v=spf1 a:111.222.33.44", "v=spf1 a:foo-bar",
        "v=spf1 include", "v=spf1 include:", "v=spf1 include:example.com/24",
        "v=spf1 exists", "v=spf1 exists:", "v=spf1 exists:mail.example.com/24",
        "v=spf1 ip4", "v=spf1 ip4:1.2.3", "v=spf1 ip4:1.2.3.4:8080", "v=spf1 ip4:1.2.3.4//32", "v=spf1 ip4:1.2.3.4/33",
        "v=spf1 ip4:01.2.3.4", "v=spf1 ip4:2001:db8::1", "v=spf1 ip6", "v=spf1 ip6:::1/129", "v=spf1 ip6:::1//33",
        "v=spf1 ip6::CAFE::BABE", "v=spf1 ip6:1.2.3.4",
        "v=spf1 1up=foo", "v=spf1 =all", "v=spf1 -all foo=%abc",
        "v=spf1 exp=", "v=spf1 exp=-all", "v=spf1 redirect=", "v=spf1 redirect=-all",
        "v=spf1 exp=a.example.com exp=b.example.com", "v=spf1 redirect=a.example.com redirect=b.example.com",
        "v=spf1 -exists:%(ir).sbl.example.com", "v=spf1 exists:foo%.sbl.example.com", "v=spf1 a:%{a}.example.com",
        "v=spf1 exists:%{i0}.example.com", "v=spf1 exists:%{d", "v=spf1 a:foo.example.com%",
        "v=spf1 -all exp=%{r}.example.com", "v=spf1 exists:%{c}.example.com",
        "v=spf1 a:foo.example.com\0", "v=spf1 a:ctrl.example.com\rptr -all", "v=spf1 ip4:192.0.2.5\n include:x.example.com",
        "v=spf1 \u{96}all", "v=spf1 a:\u{EF}garbage.example.net",
    ])
    func syntaxErrors(_ text: String) {
        #expect(throws: SPFSyntaxError.self, "\(text)") { try SPFRecord(text) }
    }

    @Test(arguments: [
        "v=spf1", "v=spf1 ", "v=spf1  a  -all ", "v=spf1 default=pass", "v=spf1 default=+",
        "v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all", "v=spf1 a:mail.example...com -all",
        "v=spf1 a:foo.example.xn--zckzah", "v=spf1 a:%{H}.bar", "v=spf1 a:%{H}", "v=spf1 exists:%{l2r+-}.user.%{d2}",
        "v=spf1 a:macro%%percent%_%_space%-url-space.example.com", "v=spf1 a=b", "v=spf1 redirect=%{d}.d.spf.example.com.",
        "v=spf1 exists:%{i99999999999999}.example.com",
    ])
    func accepted(_ text: String) {
        #expect(throws: Never.self, "\(text)") { try SPFRecord(text) }
    }

    @Test func errorMessagesNameTheProblem() {
        func message(_ text: String) -> String {
            do { _ = try SPFRecord(text); return "" } catch { return error.message }
        }
        #expect(message("v=spf1 foo") == "Unknown mechanism type 'foo' in 'v=spf1' record")
        #expect(message("v=spf1 -all:x") == "Junk encountered in mechanism '-all:x'")
        #expect(message("v=spf1 include:") == "Missing required domain-spec in 'include:'")
        #expect(message("v=spf1 exp=a.example exp=b.example") == "Duplicate global modifier 'exp' encountered")
        // Mail::SPF's term grammar stops at the NUL after a valid
        // domain-spec: the rest is junk (its words, not the macro parser's).
        #expect(message("v=spf1 a:x.example.com\0") == "Junk encountered in mechanism 'a:x.example.com\\x00'")
    }

    /// Every refusal in Mail::SPF's exact words (Term.pm, Mech.pm,
    /// Mod.pm, Record.pm, MacroString.pm of Mail::SPF 2.9): the text the
    /// Perl milter puts into the `Received-SPF` comment of a permerror
    /// (`permerror (example.com: <text>)`).
    @Test(arguments: [
        ("v=spf1 ip4:192.0.2.0/33", "Invalid IPv4 prefix length encountered in 'ip4:192.0.2.0/33'"),
        ("v=spf1 ip4:192.0.2.0/024", "Invalid IPv4 prefix length encountered in 'ip4:192.0.2.0/024'"),
        ("v=spf1 ip6:2001:db8::/129", "Invalid IPv6 prefix length encountered in 'ip6:2001:db8::/129'"),
        ("v=spf1 a/33", "Invalid IPv4 prefix length encountered in 'a/33'"),
        ("v=spf1 mx:example.com//129", "Invalid IPv6 prefix length encountered in 'mx:example.com//129'"),
        ("v=spf1 ip4:192.0.2.0/", "Junk encountered in mechanism 'ip4:192.0.2.0/'"),
        ("v=spf1 ip4:192.0.2.0/24x", "Junk encountered in mechanism 'ip4:192.0.2.0/24x'"),
        ("v=spf1 ip4:192.0.2.300", "Junk encountered in mechanism 'ip4:192.0.2.300'"),
        ("v=spf1 ip4:1.2.3.4.5", "Junk encountered in mechanism 'ip4:1.2.3.4.5'"),
        ("v=spf1 ip4:1.2.3", "Missing required IPv4 address in 'ip4:1.2.3'"),
        ("v=spf1 ip4:300.1.1.1", "Missing required IPv4 address in 'ip4:300.1.1.1'"),
        ("v=spf1 ip4", "Missing required IPv4 address in 'ip4'"),
        ("v=spf1 ip4:", "Missing required IPv4 address in 'ip4:'"),
        ("v=spf1 ip6:1.2.3.4", "Missing required IPv6 address in 'ip6:1.2.3.4'"),
        ("v=spf1 ip6::CAFE::BABE", "Missing required IPv6 address in 'ip6::CAFE::BABE'"),
        ("v=spf1 include:", "Missing required domain-spec in 'include:'"),
        ("v=spf1 include", "Missing required domain-spec in 'include'"),
        ("v=spf1 include:foo", "Missing required domain-spec in 'include:foo'"),
        ("v=spf1 exists:%(ir).sbl.example.com", "Missing required domain-spec in 'exists:%(ir).sbl.example.com'"),
        ("v=spf1 include:example.com%", "Junk encountered in mechanism 'include:example.com%'"),
        ("v=spf1 a:foo", "Junk encountered in mechanism 'a:foo'"),
        ("v=spf1 a:", "Junk encountered in mechanism 'a:'"),
        ("v=spf1 ptr:", "Junk encountered in mechanism 'ptr:'"),
        ("v=spf1 -all:x", "Junk encountered in mechanism '-all:x'"),
        ("v=spf1 redirect=", "Missing required domain-spec in 'redirect='"),
        ("v=spf1 redirect=foo", "Missing required domain-spec in 'redirect=foo'"),
        ("v=spf1 exp=example.com\u{1}", "Junk encountered in modifier 'exp=example.com\\x01'"),
        ("v=spf1 redirect=a.example redirect=b.example", "Duplicate global modifier 'redirect' encountered"),
        ("v=spf1 foo", "Unknown mechanism type 'foo' in 'v=spf1' record"),
        ("v=spf2 -all", "Not a 'v=spf1' record: 'v=spf2 -all'"),
        ("v=spf1 a:%{Z}.example.com", "Unknown macro character 'z' at pos 0 in macro string '%{Z}.example.com'"),
        ("v=spf1 exists:%{c}.example.com", "Illegal 'c' macro in non-explanation macro string '%{c}.example.com'"),
        ("v=spf1 exists:%{i0}.example.com", "Illegal selection of 0 (zero) right-hand parts at pos 0 in macro string '%{i0}.example.com'"),
    ])
    func refusalsInMailSPFWords(record: String, expected: String) {
        do {
            _ = try SPFRecord(record)
            Issue.record("accepted: \(record)")
        } catch {
            #expect(error.message == expected)
        }
    }

    @Test func macroStringsParse() throws {
        let spec = try SPFMacroString("%{ir}.%{v}._spf.%{D2}", kind: .domainSpec)
        #expect(spec.items == [
            .macro(SPFMacro(letter: "i", reversed: true)), .literal("."),
            .macro(SPFMacro(letter: "v")), .literal("._spf."),
            .macro(SPFMacro(letter: "d", urlEscaped: true, rightParts: 2)),
        ])
        let delimiters = try SPFMacroString("%{l1r+-}", kind: .domainSpec)
        #expect(delimiters.items == [.macro(SPFMacro(letter: "l", rightParts: 1, reversed: true, delimiters: ["+", "-"]))])
        let escapes = try SPFMacroString("a%%b%_c%-d", kind: .domainSpec)
        #expect(escapes.items == [.literal("a"), .escape("%"), .literal("b"), .escape(" "), .literal("c"), .escape("%20"), .literal("d")])
        #expect(throws: SPFSyntaxError.self) { try SPFMacroString("has space", kind: .domainSpec) }
        #expect(throws: Never.self) { try SPFMacroString("has space %{c} %{r} %{t}", kind: .explanation) }
    }
}
