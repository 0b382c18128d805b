import Foundation
import MailAuth
import Testing

/// The public suffix list: rules, wildcards, exceptions, sections, IDNA,
/// RFC 7489 section 3.2's Organizational Domain, bounded work.
@Suite struct PublicSuffixListTests {
    static let small = PublicSuffixList(text: """
        // comment line
        com
        uk
        co.uk
        *.ck
        !www.ck
        jp
        *.kobe.jp
        !city.kobe.jp
        公司.cn
        cn

        // ===BEGIN PRIVATE DOMAINS===
        blogspot.com   trailing text is ignored
        // ===END PRIVATE DOMAINS===
        """)

    @Test func plainRules() {
        let psl = Self.small
        #expect(psl.organizationalDomain(of: "example.com") == "example.com")
        #expect(psl.organizationalDomain(of: "a.b.Example.COM.") == "example.com")
        #expect(psl.organizationalDomain(of: "mail.example.co.uk") == "example.co.uk")
        #expect(psl.organizationalDomain(of: "co.uk") == "co.uk")
        #expect(psl.isPublicSuffix("co.uk"))
        #expect(!psl.isPublicSuffix("example.co.uk"))
        #expect(psl.publicSuffix(of: "a.example.co.uk") == "co.uk")
    }

    @Test func wildcardsAndExceptions() {
        let psl = Self.small
        #expect(psl.isPublicSuffix("anything.ck"))
        #expect(psl.organizationalDomain(of: "b.test.ck") == "b.test.ck")
        #expect(psl.organizationalDomain(of: "a.b.test.ck") == "b.test.ck")
        #expect(!psl.isPublicSuffix("www.ck"))
        #expect(psl.organizationalDomain(of: "www.ck") == "www.ck")
        #expect(psl.organizationalDomain(of: "mail.www.ck") == "www.ck")
        #expect(psl.organizationalDomain(of: "a.b.c.kobe.jp") == "b.c.kobe.jp")
        #expect(psl.organizationalDomain(of: "www.city.kobe.jp") == "city.kobe.jp")
    }

    @Test func unknownTLDGivesTheLastLabel() {
        // RFC 7489 section 3.2 with no matching rule (x = 0), as Mail::DMARC.
        let psl = Self.small
        #expect(psl.organizationalDomain(of: "a.b.example.invalid") == "invalid")
        #expect(psl.publicSuffix(of: "a.example.invalid") == nil)
        #expect(!psl.isPublicSuffix("invalid"))
        #expect(psl.organizationalDomain(of: "localhost") == "localhost")
    }

    @Test func privateSectionIsHonouredByDefault() {
        #expect(Self.small.organizationalDomain(of: "me.blogspot.com") == "me.blogspot.com")
        #expect(Self.small.privateRuleCount == 1)
        let icannOnly = PublicSuffixList(text: "com\n// ===BEGIN PRIVATE DOMAINS===\nblogspot.com\n", includePrivateDomains: false)
        #expect(icannOnly.organizationalDomain(of: "me.blogspot.com") == "blogspot.com")
    }

    @Test func unicodeRulesMatchALabels() {
        let psl = Self.small
        #expect(psl.isPublicSuffix("xn--55qx5d.cn"))
        #expect(psl.isPublicSuffix("公司.cn"))
        #expect(psl.organizationalDomain(of: "www.食狮.公司.cn") == "xn--85x722f.xn--55qx5d.cn")
        #expect(psl.organizationalDomain(of: "www.XN--85x722f.xn--55QX5D.cn") == "xn--85x722f.xn--55qx5d.cn")
    }

    @Test func bytesAndTextAgree() {
        let text = "com\n*.ck\n!www.ck\r\n"
        let a = PublicSuffixList(text: text)
        let b = PublicSuffixList(bytes: Array(text.utf8))
        for name in ["x.com", "a.b.ck", "www.ck", "q.www.ck"] {
            #expect(a.organizationalDomain(of: name) == b.organizationalDomain(of: name))
        }
        #expect(PublicSuffixList(text: "").isEmpty)
    }

    @Test func garbageNeverTraps() {
        let psl = Self.small
        let inputs = ["", ".", "..", "a..b.com", String(repeating: "a.", count: 100_000) + "com",
                      String(repeating: "é", count: 10_000) + ".com", "\u{0}.com", "*.ck", "!www.ck",
                      String(repeating: "ü", count: 300) + ".ck", "xn--.com", " example.com "]
        for input in inputs {
            _ = psl.organizationalDomain(of: input)
            _ = psl.isPublicSuffix(input)
            _ = psl.publicSuffix(of: input)
        }
        #expect(psl.organizationalDomain(of: " example.com ") == "example.com")
        let garbageList = PublicSuffixList(bytes: (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
        _ = garbageList.organizationalDomain(of: "a.b.c")
    }

    // MARK: The Debian list (package publicsuffix)

    static let systemListPath = PublicSuffixList.debianPath
    static let systemList: PublicSuffixList? = FileManager.default.contents(atPath: systemListPath).map { PublicSuffixList(bytes: [UInt8]($0)) }

    /// publicsuffix.org's test vectors (tests/test_psl.txt) that do not
    /// rely on the implicit `*` rule (so not `ck`, which only `*.ck` and
    /// `!www.ck` name); nil means "is a public suffix".
    static let vectors: [(String, String?)] = [
        ("example.COM", "example.com"), ("WwW.example.COM", "example.com"), ("com", nil),
        ("a.b.example.com", "example.com"), ("uk.com", nil), ("example.uk.com", "example.uk.com"),
        ("a.b.example.uk.com", "example.uk.com"), ("test.ac", "test.ac"), ("c.mm", nil),
        ("b.c.mm", "b.c.mm"), ("a.b.c.mm", "b.c.mm"), ("jp", nil), ("www.test.jp", "test.jp"),
        ("ac.jp", nil), ("www.test.ac.jp", "test.ac.jp"), ("kyoto.jp", nil), ("test.kyoto.jp", "test.kyoto.jp"),
        ("ide.kyoto.jp", nil), ("a.b.ide.kyoto.jp", "b.ide.kyoto.jp"), ("c.kobe.jp", nil),
        ("a.b.c.kobe.jp", "b.c.kobe.jp"), ("city.kobe.jp", "city.kobe.jp"), ("www.city.kobe.jp", "city.kobe.jp"),
        ("test.ck", nil), ("a.b.test.ck", "b.test.ck"), ("www.ck", "www.ck"), ("www.www.ck", "www.ck"),
        ("us", nil), ("www.test.us", "test.us"), ("ak.us", nil), ("www.test.ak.us", "test.ak.us"),
        ("k12.ak.us", nil), ("www.test.k12.ak.us", "test.k12.ak.us"),
        ("食狮.com.cn", "xn--85x722f.com.cn"), ("www.食狮.公司.cn", "xn--85x722f.xn--55qx5d.cn"),
        ("shishi.公司.cn", "shishi.xn--55qx5d.cn"), ("公司.cn", nil), ("www.食狮.中国", "xn--85x722f.xn--fiqs8s"),
        ("中国", nil), ("www.xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn"), ("xn--55qx5d.cn", nil),
        ("shishi.xn--fiqs8s", "shishi.xn--fiqs8s"), ("xn--fiqs8s", nil),
    ]

    @Test(.enabled(if: systemList != nil, "needs the publicsuffix package"))
    func publicSuffixOrgVectors() throws {
        let psl = try #require(Self.systemList)
        #expect(psl.icannRuleCount > 5000)
        #expect(psl.privateRuleCount > 1000)
        for (domain, registrable) in Self.vectors {
            let org = psl.organizationalDomain(of: domain)
            let isSuffix = psl.isPublicSuffix(domain)
            if let registrable {
                #expect(org == registrable, "\(domain)")
                #expect(!isSuffix, "\(domain)")
            } else {
                #expect(isSuffix, "\(domain)")
            }
        }
    }
}
