/// Verifies every DKIM signature of one message (RFC 6376 section 6, RFC
/// 8301, RFC 8463), fed the way the milter receives the message:
///
///     let verifier = DKIMVerifier(resolver: dns)
///     for (name, value) in headers { verifier.header(name: name, value: value) }
///     verifier.endOfHeaders()          // one batch of key lookups, header hashes
///     for chunk in body { verifier.body(chunk) }
///     let results = verifier.finish()  // one result per signature, in order
///
/// `endOfHeaders()` does everything that needs no body: it checks each
/// signature's tags, looks up every key in one `DNSResolver` batch (the
/// DNS helper asks them all in parallel), loads the keys and verifies the
/// header signatures. The body is then hashed only for signatures still in
/// the running, once per distinct (canonicalization, hash, `l=`), chunk by
/// chunk: no copy of the body is kept. `finish()` compares the body hashes.
///
/// Single-threaded by design (the worker is); not `Sendable`.
public final class DKIMVerifier: MessageHeaderFieldConsumer {
    public let options: DKIMVerifierOptions
    private let resolver: any DNSResolver

    private var fields: [MessageHeaderField] = []
    private var states: [SignatureState] = []
    private var hashers: [DKIMBodyHasher.Key: DKIMBodyHasher] = [:]
    private var headersDone = false
    private var results: [DKIMSignatureResult]? = nil

    private struct SignatureState {
        let header: DKIMSignatureHeader
        var checked: DKIMCheckedSignature? = nil
        var verdict: DKIMVerdict? = nil
        var key: DKIMKeyRecord? = nil
        var bodyKey: DKIMBodyHasher.Key? = nil
        var overSigned: [[UInt8]] = []
    }

    public init(resolver: any DNSResolver, options: DKIMVerifierOptions = DKIMVerifierOptions()) {
        self.resolver = resolver
        self.options = options
    }

    // MARK: Feeding the message

    /// A header field exactly as it stood in the message.
    public func header(_ field: MessageHeaderField) {
        guard !headersDone else { return }
        fields.append(field)
    }

    /// Whether any DKIM-Signature field has been seen (a caller can report
    /// "no signatures found" without going further).
    public var hasSignatures: Bool {
        if headersDone { return !states.isEmpty }
        return fields.contains { $0.hasName("DKIM-Signature") }
    }

    /// Whether any signature still waits for its body hash; when false,
    /// feeding the body is pointless (the results are already decided).
    public var needsBody: Bool {
        headersDone ? !hashers.isEmpty : hasSignatures
    }

    /// All header fields are in: checks signatures, fetches keys in one
    /// batch, verifies header signatures. Called by `body` and `finish` if
    /// the caller did not.
    public func endOfHeaders() {
        guard !headersDone else { return }
        headersDone = true
        let signatureFields = fields.filter { $0.hasName("DKIM-Signature") }.prefix(max(0, options.maximumSignatures))
        states = signatureFields.map { SignatureState(header: DKIMSignatureHeader(field: $0)) }
        guard !states.isEmpty else {
            fields = []
            return
        }
        let selection = DKIMHeaderSelection(fields)
        for index in states.indices {
            states[index].overSigned = selection.select(states[index].header.signedHeaderNames).overSigned
            switch DKIMCheckedSignature.check(states[index].header, options: options) {
            case .success(let checked): states[index].checked = checked
            case .failure(let verdict): states[index].verdict = verdict
            }
        }
        let keys = fetchKeys()
        for index in states.indices {
            guard let checked = states[index].checked, states[index].verdict == nil else { continue }
            switch keys[checked.keyName] ?? .failure(.keyNotAvailable) {
            case .failure(let verdict):
                states[index].verdict = verdict
            case .success(let key):
                states[index].key = key
                if let verdict = Self.judgeKey(key, for: checked, options: options)
                    ?? Self.verifyHeaderSignature(checked, key: key, selection: selection) {
                    states[index].verdict = verdict
                } else {
                    let bodyKey = DKIMBodyHasher.Key(canonicalization: checked.bodyCanonicalization,
                                                     hash: checked.algorithm.hash, limit: checked.bodyLengthLimit)
                    if hashers[bodyKey] == nil {
                        guard let hasher = DKIMBodyHasher(bodyKey) else {
                            states[index].verdict = .cryptoError("digest unavailable")
                            continue
                        }
                        hashers[bodyKey] = hasher
                    }
                    states[index].bodyKey = bodyKey
                }
            }
        }
        // The header is no longer needed; the body may be large, so do not
        // hold both.
        fields = []
    }

    /// A chunk of the body, in message order, line ends as sent.
    public func body(_ chunk: UnsafeRawBufferPointer) {
        endOfHeaders()
        guard results == nil, !chunk.isEmpty else { return }
        for hasher in hashers.values { hasher.update(chunk) }
    }

    /// The end of the message: one result per DKIM-Signature field (up to
    /// `maximumSignatures`), top to bottom. Empty when the message has no
    /// signature. Further calls return the same results.
    public func finish() -> [DKIMSignatureResult] {
        if let results { return results }
        endOfHeaders()
        for hasher in hashers.values { hasher.finish() }
        let finished = states.map(result(for:))
        results = finished
        return finished
    }

    /// Verifies a whole message held in memory (tests, tools).
    public static func verify(message: [UInt8], resolver: any DNSResolver,
                              options: DKIMVerifierOptions = DKIMVerifierOptions()) -> [DKIMSignatureResult] {
        let verifier = DKIMVerifier(resolver: resolver, options: options)
        let (fields, bodyStart) = MessageHeaderSplitter.split(message)
        for field in fields { verifier.header(field) }
        verifier.endOfHeaders()
        verifier.body(message[bodyStart...])
        return verifier.finish()
    }

    // MARK: Steps

    /// One DNS batch for every distinct key name still needed.
    private func fetchKeys() -> [String: Result<DKIMKeyRecord, DKIMVerdict>] {
        var names: [String] = []
        for state in states where state.verdict == nil {
            if let name = state.checked?.keyName, !names.contains(name) { names.append(name) }
        }
        guard !names.isEmpty else { return [:] }
        let outcomes = resolver.lookup(names.map { DNSQuestion(name: $0, type: .txt) })
        var keys: [String: Result<DKIMKeyRecord, DKIMVerdict>] = [:]
        for (index, name) in names.enumerated() {
            let outcome = index < outcomes.count ? outcomes[index] : .error("resolver returned no outcome")
            keys[name] = DKIMKeyRecord.evaluate(outcome)
        }
        return keys
    }

    /// The checks between a loaded key and a signature, in Mail::DKIM's
    /// order: allowed hashes, then the subdomain flag, then the key size.
    /// The key type check is RFC 6376's "inappropriate key algorithm",
    /// which Mail::DKIM leaves to the signature check to fail. (Also used
    /// by `ARCVerifier`.)
    static func judgeKey(_ key: DKIMKeyRecord, for signature: DKIMCheckedSignature,
                                 options: DKIMVerifierOptions) -> DKIMVerdict? {
        let hashName = signature.algorithm.hash.rawValue
        if let allowed = key.hashAlgorithms, !allowed.contains(hashName) {
            return .keyHashNotAllowed(hashName)
        }
        if key.key.type != signature.algorithm.keyType {
            return .keyTypeMismatch
        }
        if key.strictSubdomains && DNSName.normalized(signature.identityDomain) != signature.domain {
            return .keyNoSubdomains
        }
        if key.key.type == .rsa && key.key.bits < options.minimumRSAKeyBits {
            return .keyTooShort(key.key.bits)
        }
        return nil
    }

    /// Hashes the signed header fields and checks the signature over them;
    /// nil when it verifies (the body hash is still to be checked).
    private static func verifyHeaderSignature(_ signature: DKIMCheckedSignature, key: DKIMKeyRecord,
                                              selection: DKIMHeaderSelection) -> DKIMVerdict? {
        verifyHeaderSignature(signature, key: key, fields: selection.select(signature.signedHeaders).fields)
    }

    /// The same over fields chosen by the caller (an ARC-Seal covers the
    /// ARC sets, not an `h=` list).
    static func verifyHeaderSignature(_ signature: DKIMCheckedSignature, key: DKIMKeyRecord,
                                      fields selected: [MessageHeaderField]) -> DKIMVerdict? {
        guard let digest = CryptoDigest(signature.algorithm.hash) else { return .cryptoError("digest unavailable") }
        DKIMHeaderHash.addFields(selected, signature.headerCanonicalization, to: digest)
        let headerHash = DKIMHeaderHash.finish(signatureField: signature.hashedField,
                                               signature.headerCanonicalization, digest: digest)
        guard !headerHash.isEmpty else { return .cryptoError("digest failed") }
        switch signature.algorithm.keyType {
        case .rsa:
            switch key.key.verifyRSA(signature: signature.signature, digest: headerHash, hash: signature.algorithm.hash) {
            case .valid: return nil
            case .digestMismatch: return .messageAltered
            case .badSignature: return .badRSASignature
            }
        case .ed25519:
            return key.key.verifyEd25519(signature: signature.signature, message: headerHash) ? nil : .badEd25519Signature
        }
    }

    private func result(for state: SignatureState) -> DKIMSignatureResult {
        var verdict = state.verdict ?? .pass
        var unsignedBodyBytes: UInt64? = nil
        if state.verdict == nil, let checked = state.checked, let bodyKey = state.bodyKey, let hasher = hashers[bodyKey] {
            if hasher.finish() != checked.bodyHash { verdict = .bodyAltered }
            if let limit = checked.bodyLengthLimit, hasher.canonicalLength > limit {
                unsignedBodyBytes = hasher.canonicalLength - limit
            }
        }
        let header = state.header
        let canonicalization = header.tags.flatMap { tags in
            Canonicalization.parsePair(tags.text("c")).map { "\($0.header.rawValue)/\($0.body.rawValue)" }
        }
        return DKIMSignatureResult(
            result: verdict.result,
            perlResult: verdict.perlResult,
            reason: verdict.reason,
            detail: verdict.detail,
            domain: header.domain,
            identity: header.identity,
            selector: header.selector,
            algorithm: header.algorithmText,
            hashAlgorithm: header.algorithmText.flatMap(DKIMAlgorithm.init(tagValue:))?.hash.rawValue,
            keyType: state.key?.key.type.rawValue,
            keyBits: state.key?.key.bits,
            headerB: header.headerB,
            canonicalization: canonicalization,
            signedHeaders: header.signedHeaderNames.map { String(decoding: $0, as: UTF8.self) },
            overSignedHeaders: state.overSigned.map { String(decoding: $0, as: UTF8.self) },
            testing: state.key?.testing ?? false,
            bodyLengthLimit: state.checked?.bodyLengthLimit,
            unsignedBodyBytes: unsignedBodyBytes,
            timestamp: state.checked?.timestamp,
            expiration: state.checked?.expiration,
            isParseable: header.tags != nil)
    }
}
