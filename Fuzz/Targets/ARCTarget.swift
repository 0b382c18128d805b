@testable import Handlers
@testable import MailAuth

/// Whole messages through ARC validation (RFC 8617): the chain's structure,
/// the seals' and signatures' tags, key lookups in an in-memory zone (one
/// RSA key at `s._domainkey.example.com`), body hashes; then what the DMARC
/// handler takes from a valid chain.
enum ARCTarget {
    static let target = FuzzTarget(name: "arc", run: run)

    static let zone: InMemoryDNSResolver = {
        var zone = InMemoryDNSResolver()
        // The RSA key of the unit tests (DKIMTestData.gmail20120113).
        zone.add("s._domainkey.example.com", .txt(
            "k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1Kd87/UeJjenpabgbFwh"
                + "+eBCsSTrqmwIYYvywlbhbqoo2DymndFkbjOVIPIldNs/m40KF+yzMn1skyoxcTUGCQ"
                + "s8g3FgD2Ap3ZB5DekAo5wMmk4wimDO+U8QzI3SD07y2+07wlNWwIt8svnxgdxGkVbb"
                + "hzY8i+RQ9DpSVpPbF7ykQxtKXkv/ahW3KjViiAH+ghvvIhkx4xYSIc9oSwVmAl5Oct"
                + "MEeWUwg8Istjqz8BZeTWbf41fbNhte7Y+YqZOwq1Sd0DbvYAD9NOZK9vlfuac0598H"
                + "Y+vtSBczUiKERHv1yRbcaQtZFh5wtiRrN04BLUTD21MycBX5jYchHjPY/wIDAQAB"))
        return zone
    }()

    static func run(_ input: [UInt8]) {
        let (fields, _) = MessageHeaderSplitter.split(input)
        let chain = ARCChain(fields)
        _ = chain.sets()
        let result = ARCVerifier.verify(message: input, resolver: zone)
        if result.status == .pass {
            fuzzCheck(result.instanceCount >= 1, "a passing chain without instances")
        }
        _ = DMARCARCResults.spf(result.authenticationResults)
        _ = DMARCARCResults.dkim(result.authenticationResults)
        _ = DMARCARCResults.remoteIP(result.authenticationResults.last)
    }
}
