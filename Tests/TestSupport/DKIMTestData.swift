import Foundation
import MailAuth

/// The dkimpy vectors (dkimpy 1.1.8, `dkim/tests/data/`) in the team's
/// `shared/conformance/dkim/` (see `ConformanceData`), plus the DNS zones
/// dkimpy's own tests serve for them. A test that reads them is skipped
/// where the suite is absent.
public enum DKIMTestData {
    public static func directory() throws -> URL {
        try ConformanceData.directory(.dkim)
    }

    public static func path(_ name: String) throws -> String {
        try directory().appendingPathComponent(name).path
    }

    public static func bytes(_ name: String) throws -> [UInt8] {
        try ConformanceData.bytes(.dkim, name)
    }

    public static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }

    /// A key record file's content without its final line end.
    public static func record(_ name: String) throws -> String {
        var text = try text(name)
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }

    /// A TXT record split into 255-byte strings, as DNS carries it.
    public static func txt(_ text: String) -> DNSRecord {
        let bytes = Array(text.utf8)
        var strings: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            strings.append(Array(bytes[index..<min(index + 255, bytes.count)]))
            index += 255
        }
        return .txt(strings)
    }

    public static func zone(_ records: [String: String]) -> InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        for (name, value) in records { dns.add(name, txt(value)) }
        return dns
    }

    /// The public half of RFC 8032 section 7.1 test 1 (`rfc8032_7_1.key`),
    /// which dkimpy publishes at brisbane._domainkey.football.example.com.
    public static let rfc8032PublicKey = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

    /// gmail.com's 2012 public key, selector 20120113, which signed
    /// `test2.message` (dkimpy's test_degenerate_folding publishes it).
    public static let gmail20120113 = "k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1Kd87/UeJjenpabgbFwh"
        + "+eBCsSTrqmwIYYvywlbhbqoo2DymndFkbjOVIPIldNs/m40KF+yzMn1skyoxcTUGCQ"
        + "s8g3FgD2Ap3ZB5DekAo5wMmk4wimDO+U8QzI3SD07y2+07wlNWwIt8svnxgdxGkVbb"
        + "hzY8i+RQ9DpSVpPbF7ykQxtKXkv/ahW3KjViiAH+ghvvIhkx4xYSIc9oSwVmAl5Oct"
        + "MEeWUwg8Istjqz8BZeTWbf41fbNhte7Y+YqZOwq1Sd0DbvYAD9NOZK9vlfuac0598H"
        + "Y+vtSBczUiKERHv1yRbcaQtZFh5wtiRrN04BLUTD21MycBX5jYchHjPY/wIDAQAB"

    /// dkimpy's usual zone: the 1024-bit test key at test._domainkey of
    /// example.com and of football.example.com, the RFC 8032 key at
    /// brisbane, the Exim prototype's key at sed._domainkey.test.ex, the
    /// Ed25519 test key at test._domainkey.example.net, gmail's key.
    public static func standardZone() throws -> InMemoryDNSResolver {
        try zone([
            "test._domainkey.example.com": record("test.txt"),
            "test._domainkey.football.example.com": record("test.txt"),
            "brisbane._domainkey.football.example.com": "v=DKIM1; k=ed25519; p=\(rfc8032PublicKey)",
            "sed._domainkey.test.ex": record("eximtest.dns"),
            "test._domainkey.example.net": "v=DKIM1; " + record("ed25519test.dns"),
            "20120113._domainkey.gmail.com": gmail20120113,
        ])
    }

    public static func rsaKey() throws -> DKIMSigningKey {
        try DKIMSigningKey(pem: text("test.private"))
    }

    public static func ed25519Key() throws -> DKIMSigningKey {
        try DKIMSigningKey(ed25519Seed: record("ed25519test.key"))
    }

    /// A fixed clock: 2020-01-01, after every `t=` in the vectors.
    public static let clock = DKIMClock.fixed(1_577_836_800)

    public static func verify(_ message: [UInt8], _ dns: InMemoryDNSResolver,
                       options: DKIMVerifierOptions = DKIMVerifierOptions(clock: clock)) -> [DKIMSignatureResult] {
        DKIMVerifier.verify(message: message, resolver: dns, options: options)
    }

    public static func sign(_ message: [UInt8], key: DKIMSigningKey, domain: String = "example.com", selector: String = "test",
                     header: Canonicalization = .relaxed, body: Canonicalization = .relaxed,
                     configure: (inout DKIMSignerOptions) -> Void = { _ in }) throws -> [UInt8] {
        var options = DKIMSignerOptions(domain: domain, selector: selector, headerCanonicalization: header,
                                        bodyCanonicalization: body, clock: clock)
        configure(&options)
        return try DKIMSigner.sign(message: message, key: key, options: options).headerBytes + message
    }

    /// Every combination of header and body canonicalization.
    public static let canonicalizations: [(Canonicalization, Canonicalization)] = [
        (.simple, .simple), (.simple, .relaxed), (.relaxed, .simple), (.relaxed, .relaxed),
    ]
}
