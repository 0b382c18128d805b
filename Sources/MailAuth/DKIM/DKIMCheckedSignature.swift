/// A DKIM-Signature whose tags passed every check that needs neither DNS
/// nor the message (RFC 6376 section 6.1.1), with typed values.
struct DKIMCheckedSignature: Sendable {
    let algorithm: DKIMAlgorithm
    let headerCanonicalization: Canonicalization
    let bodyCanonicalization: Canonicalization
    /// Lowercased `d=`.
    let domain: String
    let selector: String
    /// The domain part of the identity (`i=` or `d=`).
    let identityDomain: String
    let signedHeaders: [[UInt8]]
    let signature: [UInt8]
    let bodyHash: [UInt8]
    let bodyLengthLimit: UInt64?
    let timestamp: Int64?
    let expiration: Int64?
    /// The field with the `b=` value removed.
    let hashedField: MessageHeaderField

    /// Where the key lives (RFC 6376 section 3.6.2.1), in A-labels: RFC
    /// 8616 section 3 lets an internationalized message write `d=` and
    /// `s=` in U-labels.
    var keyName: String { "\(DomainNameIDNA.queryName(selector))._domainkey.\(DomainNameIDNA.queryName(domain))" }

    /// Which field the tags come from. ARC's two signature fields reuse
    /// the DKIM tags with differences (RFC 8617 sections 4.1.2 and 4.1.3):
    /// neither has `v=`, and `i=` is the ARC instance (checked by ARC), not
    /// an identity; the ARC-Message-Signature need not sign From; the
    /// ARC-Seal covers no body (no `bh=`, `l=`, `h=`) and is always hashed
    /// with relaxed header canonicalization, and `q=`, `x=` are not among
    /// its tags (ignored, as unknown tags are).
    enum Kind: Sendable {
        case dkim
        case arcMessageSignature
        case arcSeal
    }

    /// Runs the checks in Mail::DKIM's order (so the reason reported for a
    /// signature with several problems is the one it would report), then
    /// the ones RFC 6376 requires and Mail::DKIM skips.
    static func check(_ header: DKIMSignatureHeader, options: DKIMVerifierOptions,
                      kind: Kind = .dkim) -> Result<DKIMCheckedSignature, DKIMVerdict> {
        let tags: DKIMTagList
        switch header.parsed {
        case .success(let list): tags = list
        case .failure(.syntax): return .failure(.syntaxError)
        case .failure(.duplicate(let name)): return .failure(.duplicateTag(name))
        }

        if kind == .dkim {
            guard let version = tags.text("v") else { return .failure(.missingVersion) }
            guard version == "1" else { return .failure(.unsupportedVersion(version)) }
        }

        guard let algorithmText = header.algorithmText, !algorithmText.isEmpty else {
            return .failure(.unsupportedAlgorithm(nil))
        }
        guard let algorithm = DKIMAlgorithm(tagValue: algorithmText) else {
            return .failure(.unsupportedAlgorithm(algorithmText))
        }
        if algorithm == .rsaSHA1 && !options.allowSHA1 {
            return .failure(.unsupportedAlgorithm(algorithmText))
        }

        let canonicalizationText = kind == .arcSeal ? "relaxed/relaxed" : tags.text("c")
        guard let (headerCanonicalization, bodyCanonicalization) = Canonicalization.parsePair(canonicalizationText) else {
            return .failure(.unsupportedCanonicalization(describeCanonicalization(canonicalizationText ?? "")))
        }

        if kind != .arcSeal, let query = tags.text("q") {
            let methods = query.split(separator: ":").map { $0.filter { !$0.isWhitespace }.lowercased() }
            guard methods.contains("dns/txt") else { return .failure(.unsupportedQuery(query)) }
        }

        var expiration: Int64? = nil
        if kind != .arcSeal, let text = tags.text("x") {
            guard let value = parseNumber(text) else { return .failure(.invalidTag("x")) }
            guard options.clock.now() <= value else { return .failure(.expired) }
            expiration = value
        }

        guard let domain = header.domain else { return .failure(.missingDomain) }
        // U-labels are checked in their A-label form (RFC 8616 section 3).
        guard DKIMDomainName.isValid(DomainNameIDNA.toASCII(domain) ?? domain) else { return .failure(.invalidDomain) }
        guard let selector = header.selector else { return .failure(.missingSelector) }
        guard DKIMDomainName.isValid(DomainNameIDNA.toASCII(selector) ?? selector) else { return .failure(.invalidSelector) }

        guard let signatureValue = tags["b"]?.value else { return .failure(.missingTag("b")) }
        guard let signature = CryptoBase64.decode(signatureValue), !signature.isEmpty else {
            return .failure(.invalidTag("b"))
        }
        var bodyHash: [UInt8] = []
        var signedHeaders: [[UInt8]] = []
        if kind != .arcSeal {
            guard let bodyHashValue = tags["bh"]?.value else { return .failure(.missingTag("bh")) }
            guard let decoded = CryptoBase64.decode(bodyHashValue), !decoded.isEmpty else {
                return .failure(.invalidTag("bh"))
            }
            bodyHash = decoded
            guard tags["h"] != nil else { return .failure(.missingTag("h")) }
            signedHeaders = header.signedHeaderNames
        }
        if kind == .dkim {
            guard signedHeaders.contains(Array("from".utf8)) else { return .failure(.fromNotSigned) }
        }

        var bodyLengthLimit: UInt64? = nil
        if kind != .arcSeal, let text = tags.text("l") {
            guard let value = parseNumber(text) else { return .failure(.invalidTag("l")) }
            bodyLengthLimit = UInt64(value)
        }
        var timestamp: Int64? = nil
        if let text = tags.text("t") {
            guard let value = parseNumber(text) else { return .failure(.invalidTag("t")) }
            timestamp = value
        }
        if let timestamp, let expiration, expiration < timestamp {
            return .failure(.expiresBeforeTimestamp)
        }

        // i= must sit in d= (RFC 6376 section 3.5); Mail::DKIM's "bad
        // identity" (it checks after the key lookup; nothing is lost by
        // not looking up a key for a signature that cannot pass).
        var identityDomain = domain
        if kind == .dkim, tags["i"] != nil {
            let identity = header.identity ?? ""
            guard let at = identity.lastIndex(of: "@") else { return .failure(.badIdentity) }
            identityDomain = String(identity[identity.index(after: at)...])
            guard DKIMDomainName.isSameOrSubdomain(identityDomain, of: domain) else { return .failure(.badIdentity) }
        }

        guard let hashedField = header.fieldWithoutSignature else { return .failure(.missingTag("b")) }
        return .success(DKIMCheckedSignature(
            algorithm: algorithm, headerCanonicalization: headerCanonicalization,
            bodyCanonicalization: bodyCanonicalization, domain: domain, selector: selector,
            identityDomain: identityDomain, signedHeaders: signedHeaders, signature: signature,
            bodyHash: bodyHash, bodyLengthLimit: bodyLengthLimit, timestamp: timestamp,
            expiration: expiration, hashedField: hashedField))
    }

    /// Mail::DKIM names a bad `c=` as "header/body", filling in the simple
    /// default body.
    private static func describeCanonicalization(_ text: String) -> String {
        let lowered = text.lowercased()
        return lowered.contains("/") ? lowered : lowered + "/simple"
    }

    /// Digits only (RFC 6376: 1*12DIGIT for times, 1*76DIGIT for `l=`),
    /// folding whitespace tolerated, at most 18 digits so the value fits.
    static func parseNumber(_ text: String) -> Int64? {
        let digits = text.utf8.filter { !DKIMTagList.isWhitespace($0) }
        guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
    }
}
