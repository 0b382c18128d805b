import Config
import MailAuth

/// One entry of DKIMSign's `sign` list: what OpenDKIM splits into a
/// KeyTable line (signing domain, selector, private key) and the
/// SigningTable patterns that choose it (`from_domains`).
///
///     {
///        "domain" : "example.com",              d=
///        "selector" : "s2024",                  s=
///        "key_file" : "/etc/dkim/s2024.pem",    or "key" : "-----BEGIN PRIVATE KEY-----\n..."
///        "algorithm" : "rsa-sha256",            optional: rsa-sha256 or ed25519-sha256, else from the key
///        "from_domains" : [ "example.com", "*.example.com" ]   optional, default [ domain ]
///     }
///
/// The key (PEM: RSA in PKCS #1 or #8, Ed25519 in PKCS #8; or a base64
/// Ed25519 seed as dkimpy writes it) is read and test-signed when the
/// configuration is loaded, so a bad key stops the start or the reload
/// with a message naming it, and nothing is read once the worker is jailed.
struct DKIMSignKey {
    static let keys: Set<String> = ["domain", "selector", "key_file", "key", "algorithm", "from_domains"]
    /// RFC 8301 section 3.2: signers must use at least 1024 bits.
    static let minimumRSABits = SigningKeyRules.minimumRSABits

    let domain: String
    let selector: String
    let key: DKIMSigningKey
    let algorithm: DKIMAlgorithm
    /// Lowercase, without final dots: `example.com` (that domain),
    /// `*.example.com` (its subdomains), `*` (any From domain).
    let fromDomains: [String]

    init(_ node: ConfigNode) throws(ConfigurationError) {
        _ = try node.requireObject()
        for member in node.members where !Self.keys.contains(member.key) {
            throw member.node.error("unknown key in a sign entry (known: \(Self.keys.sorted().joined(separator: ", ")))")
        }
        guard let domain = try node.nonEmptyString("domain") else { throw node.error("a sign entry needs \"domain\"") }
        guard let selector = try node.nonEmptyString("selector") else {
            throw node.error("the sign entry for \(domain) needs \"selector\"")
        }
        let name = "the key for \(domain) (selector \(selector))"

        switch (try node.nonEmptyString("key_file"), try node.nonEmptyString("key")) {
        case (let path?, nil):
            let fileNode = node.child("key_file") ?? node
            let text = try SigningKeyRules.readKeyFile(path, node: fileNode, describing: name)
            do {
                key = try DKIMSigningKey(text: text)
            } catch {
                throw fileNode.error("\(path) does not hold a usable private key (\(name)): \(error.message)")
            }
        case (nil, let pem?):
            do {
                key = try DKIMSigningKey(text: pem)
            } catch {
                throw (node.child("key") ?? node).error("not a usable private key (\(name)): \(error.message)")
            }
        case (nil, nil):
            throw node.error("\(name) is missing: give \"key_file\" (a path) or \"key\" (PEM text)")
        case (_?, _?):
            throw node.error("\(name): give \"key_file\" or \"key\", not both")
        }

        try SigningKeyRules.checkStrength(key, node: node, describing: name)
        algorithm = try SigningKeyRules.algorithm(try node.nonEmptyString("algorithm"), node: node.child("algorithm") ?? node,
                                                  key: key, describing: name, purpose: "signing")

        var patterns: [String] = []
        for pattern in try node.stringArray("from_domains") ?? [domain] {
            var lowered = pattern.lowercased()
            while lowered.hasSuffix(".") { lowered.removeLast() }
            guard !lowered.isEmpty, lowered == "*" || !lowered.dropFirst(lowered.hasPrefix("*.") ? 2 : 0).contains("*") else {
                throw (node.child("from_domains") ?? node).error("not a domain pattern: \"\(pattern)\" (use example.com, *.example.com or *)")
            }
            patterns.append(lowered)
        }
        self.domain = domain
        self.selector = selector
        fromDomains = patterns

        // Sign once now: the domain, selector and key are then known to
        // work, and OpenSSL has done its lazy set-up before the sandbox.
        do {
            _ = try DKIMSigner.sign(message: Array("From: <postmaster@\(domain)>\r\n\r\n".utf8), key: key,
                                    options: options(clock: .system))
        } catch {
            throw node.error("cannot sign with \(name): \(error)")
        }
    }

    /// Whether a message whose From address is in `domain` is signed with
    /// this key.
    func matches(fromDomain domain: String) -> Bool {
        let domain = domain.lowercased()
        return fromDomains.contains { pattern in
            if pattern == "*" { return true }
            if pattern.hasPrefix("*.") { return domain.hasSuffix(pattern.dropFirst()) }
            return domain == pattern
        }
    }

    /// Relaxed/relaxed, `t=`, the library's header list with over-signing.
    func options(clock: DKIMClock) -> DKIMSignerOptions {
        DKIMSignerOptions(domain: domain, selector: selector, algorithm: algorithm,
                          headerCanonicalization: .relaxed, bodyCanonicalization: .relaxed, clock: clock)
    }
}
