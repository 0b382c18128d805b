import Config
import MailAuth

/// The ARC handler's sealing set-up: `arcseal_domain`, `arcseal_selector`,
/// `arcseal_algorithm`, `arcseal_key` or `arcseal_keyfile` and
/// `arcseal_headers`. As in Perl, a message is sealed only when the domain,
/// the selector and a key are all given; a key without a domain or a
/// selector is refused as a mistake.
///
/// The key is read (before the worker's sandbox, like DKIMSign's) and
/// test-sealed when the configuration is loaded, so a bad key stops the
/// start or the reload with a message naming it.
struct ARCSealKey {
    /// RFC 8301 section 3.2: signers must use at least 1024 bits.
    static let minimumRSABits = SigningKeyRules.minimumRSABits

    let key: DKIMSigningKey
    let domain: String
    let selector: String
    let algorithm: DKIMAlgorithm
    /// The library's defaults plus `arcseal_headers`.
    let signedHeaders: [String]

    /// nil when sealing is not configured.
    static func read(_ config: ConfigNode) throws(ConfigurationError) -> ARCSealKey? {
        let domain = try config.nonEmptyString("arcseal_domain")
        let selector = try config.nonEmptyString("arcseal_selector")
        let keyFile = try config.nonEmptyString("arcseal_keyfile")
        let keyText = try config.nonEmptyString("arcseal_key")
        guard keyFile != nil || keyText != nil else { return nil }
        guard let domain else {
            throw config.error("an ARC sealing key is given but \"arcseal_domain\" is not")
        }
        guard let selector else {
            throw config.error("an ARC sealing key is given for \(domain) but \"arcseal_selector\" is not")
        }
        return try ARCSealKey(config, domain: domain, selector: selector, keyFile: keyFile, keyText: keyText)
    }

    private init(_ config: ConfigNode, domain: String, selector: String, keyFile: String?,
                 keyText: String?) throws(ConfigurationError) {
        let name = "the ARC sealing key for \(domain) (selector \(selector))"
        // arcseal_keyfile wins, as in Perl.
        if let path = keyFile {
            let node = config.child("arcseal_keyfile") ?? config
            let text = try SigningKeyRules.readKeyFile(path, node: node, describing: name)
            guard let key = Self.key(text) else {
                throw node.error("\(path) does not hold a usable private key (\(name))")
            }
            self.key = key
        } else {
            guard let text = keyText, let key = Self.key(text) else {
                throw (config.child("arcseal_key") ?? config).error("not a usable private key (\(name))")
            }
            self.key = key
        }
        try SigningKeyRules.checkStrength(key, node: config, describing: name)
        algorithm = try SigningKeyRules.algorithm(try config.nonEmptyString("arcseal_algorithm"),
                                                  node: config.child("arcseal_algorithm") ?? config,
                                                  key: key, describing: name, purpose: "sealing")

        var headers = ARCSealerOptions.defaultSignedHeaders
        for name in try Self.extraHeaders(config) where !headers.contains(name) {
            headers.append(name)
        }
        self.domain = domain
        self.selector = selector
        signedHeaders = headers

        // Seal once now: domain, selector, header list and key are then
        // known to work, and OpenSSL is set up before the sandbox.
        do {
            _ = try ARCSealer.seal(message: Array("From: <postmaster@\(domain)>\r\n\r\n".utf8), key: key,
                                   options: options(clock: .system), verification: ARCVerifierResult(status: .none),
                                   authservID: "localhost", results: "")
        } catch {
            let node = error.isHeaderList ? (config.child("arcseal_headers") ?? config) : config
            throw node.error("cannot seal with \(name): \(error)")
        }
    }

    /// `arcseal_headers`: Mail::DKIM's colon-separated list (an array of
    /// names is taken too), lowercased.
    private static func extraHeaders(_ config: ConfigNode) throws(ConfigurationError) -> [String] {
        guard let node = config.child("arcseal_headers"), !node.isNull else { return [] }
        let names: [String]
        if case .array = node.value {
            names = try node.stringArrayValue()
        } else {
            names = try node.stringValue().split(separator: ":").map(String.init)
        }
        return names.map { String($0.filter { $0 != " " && $0 != "\t" }).lowercased() }.filter { !$0.isEmpty }
    }

    /// PEM text; or, as Mail::DKIM's `PrivateKey->load(Data => ...)`
    /// takes it, the bare base64 of an RSA key (PKCS #1, or PKCS #8); or
    /// the base64 of an Ed25519 seed.
    static func key(_ text: String) -> DKIMSigningKey? {
        if text.contains("-----BEGIN") { return try? DKIMSigningKey(pem: text) }
        let base64 = String(text.filter { !$0.isWhitespace })
        guard !base64.isEmpty else { return nil }
        var lines: [Substring] = []
        var rest = base64[...]
        while !rest.isEmpty {
            lines.append(rest.prefix(64))
            rest = rest.dropFirst(64)
        }
        let body = lines.joined(separator: "\n")
        for label in ["RSA PRIVATE KEY", "PRIVATE KEY"] {
            if let key = try? DKIMSigningKey(pem: "-----BEGIN \(label)-----\n\(body)\n-----END \(label)-----\n") {
                return key
            }
        }
        return try? DKIMSigningKey(ed25519Seed: base64)
    }

    func options(clock: DKIMClock) -> ARCSealerOptions {
        ARCSealerOptions(domain: domain, selector: selector, algorithm: algorithm, signedHeaders: signedHeaders, clock: clock)
    }
}

extension ARCSealerError {
    fileprivate var isHeaderList: Bool {
        if case .invalidSignedHeaders = self { return true }
        return false
    }
}
