import Foundation
import MailAuth

/// The dkimpy vectors in `shared/conformance/dkim/` (dkimpy 1.1.8,
/// `dkim/tests/data/`), located by walking up from this file, plus the
/// DNS zones dkimpy's own tests serve for them.
enum DKIMTestData {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    /// The conformance directory; throws a message saying where it was
    /// looked for (set DKIM_CONFORMANCE_DIR to override).
    static func directory() throws -> URL {
        let relative = "shared/conformance/dkim"
        if let override = ProcessInfo.processInfo.environment["DKIM_CONFORMANCE_DIR"] {
            return URL(fileURLWithPath: override)
        }
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("test.message").path) {
                return candidate
            }
            directory = directory.deletingLastPathComponent()
        }
        throw Missing(description: "DKIM conformance data not found: no \(relative)/test.message in any parent of "
                      + "\(#filePath) (set DKIM_CONFORMANCE_DIR to its path)")
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        let url = try directory().appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Missing(description: "DKIM conformance file missing: \(url.path)")
        }
        return [UInt8](data)
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }

    /// A key record file's content without its final line end.
    static func record(_ name: String) throws -> String {
        var text = try text(name)
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }

    /// A TXT record split into 255-byte strings, as DNS carries it.
    static func txt(_ text: String) -> DNSRecord {
        let bytes = Array(text.utf8)
        var strings: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            strings.append(Array(bytes[index..<min(index + 255, bytes.count)]))
            index += 255
        }
        return .txt(strings)
    }

    static func zone(_ records: [String: String]) -> InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        for (name, value) in records { dns.add(name, txt(value)) }
        return dns
    }

    /// The public half of RFC 8032 section 7.1 test 1 (`rfc8032_7_1.key`),
    /// which dkimpy publishes at brisbane._domainkey.football.example.com.
    static let rfc8032PublicKey = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

    /// gmail.com's 2012 public key, selector 20120113, which signed
    /// `test2.message` (dkimpy's test_degenerate_folding publishes it).
    static let gmail20120113 = "k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1Kd87/UeJjenpabgbFwh"
        + "+eBCsSTrqmwIYYvywlbhbqoo2DymndFkbjOVIPIldNs/m40KF+yzMn1skyoxcTUGCQ"
        + "s8g3FgD2Ap3ZB5DekAo5wMmk4wimDO+U8QzI3SD07y2+07wlNWwIt8svnxgdxGkVbb"
        + "hzY8i+RQ9DpSVpPbF7ykQxtKXkv/ahW3KjViiAH+ghvvIhkx4xYSIc9oSwVmAl5Oct"
        + "MEeWUwg8Istjqz8BZeTWbf41fbNhte7Y+YqZOwq1Sd0DbvYAD9NOZK9vlfuac0598H"
        + "Y+vtSBczUiKERHv1yRbcaQtZFh5wtiRrN04BLUTD21MycBX5jYchHjPY/wIDAQAB"

    /// dkimpy's usual zone: the 1024-bit test key at test._domainkey of
    /// example.com and of football.example.com, the RFC 8032 key at
    /// brisbane, the Exim prototype's key at sed._domainkey.test.ex, the
    /// Ed25519 test key at test._domainkey.example.net, gmail's key.
    static func standardZone() throws -> InMemoryDNSResolver {
        try zone([
            "test._domainkey.example.com": record("test.txt"),
            "test._domainkey.football.example.com": record("test.txt"),
            "brisbane._domainkey.football.example.com": "v=DKIM1; k=ed25519; p=\(rfc8032PublicKey)",
            "sed._domainkey.test.ex": record("eximtest.dns"),
            "test._domainkey.example.net": "v=DKIM1; " + record("ed25519test.dns"),
            "20120113._domainkey.gmail.com": gmail20120113,
        ])
    }

    static func rsaKey() throws -> DKIMSigningKey {
        try DKIMSigningKey(pem: text("test.private"))
    }

    static func ed25519Key() throws -> DKIMSigningKey {
        try DKIMSigningKey(ed25519Seed: record("ed25519test.key"))
    }

    /// A fixed clock: 2020-01-01, after every `t=` in the vectors.
    static let clock = DKIMClock.fixed(1_577_836_800)

    static func verify(_ message: [UInt8], _ dns: InMemoryDNSResolver,
                       options: DKIMVerifierOptions = DKIMVerifierOptions(clock: clock)) -> [DKIMSignatureResult] {
        DKIMVerifier.verify(message: message, resolver: dns, options: options)
    }

    static func sign(_ message: [UInt8], key: DKIMSigningKey, domain: String = "example.com", selector: String = "test",
                     header: Canonicalization = .relaxed, body: Canonicalization = .relaxed,
                     configure: (inout DKIMSignerOptions) -> Void = { _ in }) throws -> [UInt8] {
        var options = DKIMSignerOptions(domain: domain, selector: selector, headerCanonicalization: header,
                                        bodyCanonicalization: body, clock: clock)
        configure(&options)
        return try DKIMSigner.sign(message: message, key: key, options: options).headerBytes + message
    }

    /// Every combination of header and body canonicalization.
    static let canonicalizations: [(Canonicalization, Canonicalization)] = [
        (.simple, .simple), (.simple, .relaxed), (.relaxed, .simple), (.relaxed, .relaxed),
    ]
}
