/// A DKIM public key record (RFC 6376 section 3.6.1; RFC 8463 for
/// `k=ed25519`), judged and loaded. The order of the checks, and the
/// reasons, are Mail::DKIM's (`Mail::DKIM::PublicKey::check`).
struct DKIMKeyRecord: Sendable {
    let key: CryptoPublicKey
    /// `h=`: hash algorithms the key may be used with; nil means any.
    let hashAlgorithms: [String]?
    /// `t=y`.
    let testing: Bool
    /// `t=s`: the `i=` domain must be `d=` itself, not a subdomain.
    let strictSubdomains: Bool

    /// Interprets the lookup of `selector._domainkey.domain` TXT.
    static func evaluate(_ outcome: DNSOutcome) -> Result<DKIMKeyRecord, DKIMVerdict> {
        switch outcome {
        case .nxdomain, .nodata:
            return .failure(.keyNotAvailable)
        case .servfail:
            return .failure(.keyDNSError("SERVFAIL"))
        case .timeout:
            return .failure(.keyDNSError("query timed out"))
        case .error(let text):
            return .failure(.keyDNSError(text))
        case .answer(let records, _):
            // Mail::DKIM takes the first TXT record; several records at one
            // selector are undefined behaviour (RFC 6376 section 3.6.2.2).
            guard let text = records.lazy.compactMap(\.joinedText).first, !text.isEmpty else {
                return .failure(.keyNotAvailable)
            }
            return DKIMKeyRecordCache.shared.record(for: text)
        }
    }

    static func parse(_ text: [UInt8]) -> Result<DKIMKeyRecord, DKIMVerdict> {
        guard case .success(let tags) = DKIMTagList.parse(text) else { return .failure(.keySyntaxError) }
        if let version = tags.text("v"), !version.isEmpty, version != "DKIM1" {
            return .failure(.keyUnsupportedVersion)
        }
        var keyType = CryptoKeyType.rsa
        if let k = tags.text("k"), !k.isEmpty {
            guard let type = CryptoKeyType(rawValue: k) else { return .failure(.keyUnsupportedType) }
            keyType = type
        }
        guard let data = tags["p"]?.value else { return .failure(.keyMissingData) }
        // Mail::DKIM also drops double quotes, left over from zone files
        // that split long strings badly.
        let cleaned = DKIMTagList.removingWhitespace(data).filter { $0 != UInt8(ascii: "\"") }
        guard !cleaned.isEmpty else { return .failure(.keyRevoked) }
        guard let der = CryptoBase64.decode(cleaned) else { return .failure(.keyInvalidData) }
        let key: CryptoPublicKey
        do {
            switch keyType {
            case .rsa: key = try CryptoPublicKey.rsa(der: der)
            case .ed25519: key = try CryptoPublicKey.ed25519(raw: der)
            }
        } catch {
            return .failure(.keyOpenSSLError(error.message))
        }
        if let services = tags.text("s") {
            let list = services.split(separator: ":").map { $0.trimmingWhitespace }
            guard list.contains("*") || list.contains("email") else { return .failure(.keyNotForEmail) }
        }
        let flags = tags.text("t").map { $0.split(separator: ":").map { $0.trimmingWhitespace } } ?? []
        let hashes = tags.text("h").map { $0.split(separator: ":").map { $0.trimmingWhitespace } }
        return .success(DKIMKeyRecord(key: key, hashAlgorithms: hashes, testing: flags.contains("y"),
                                      strictSubdomains: flags.contains("s")))
    }
}

private extension Substring {
    var trimmingWhitespace: String {
        String(self.drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}
