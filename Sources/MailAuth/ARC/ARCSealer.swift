/// Adds an ARC Set to a message (RFC 8617 section 5.1): an
/// ARC-Authentication-Results carrying this ADMD's results, an
/// ARC-Message-Signature (a DKIM signature of the message under ARC's
/// rules) and an ARC-Seal over the chain, with `cv=` from the validation
/// of the chain as it arrived.
///
///     let verifier = ARCVerifier(resolver: dns)       // validate first ...
///     let sealer = try ARCSealer(key: key, options: ARCSealerOptions(domain: "example.com", selector: "arc"))
///     for field in fields { verifier.header(field); sealer.header(field) }
///     verifier.endOfHeaders(); sealer.endOfHeaders()
///     for chunk in body { verifier.body(chunk); sealer.body(chunk) }
///     let set = try sealer.finish(verification: verifier.finish(),
///                                 authservID: "mx.example.com", results: "spf=pass smtp.mailfrom=...")
///     // prepend set.fields (ARC-Seal first)
///
/// The new set's instance is one more than the highest the message holds.
/// `cv=` is the validation's status. A chain that arrived failed is sealed
/// with `cv=fail` and the seal covers only the new set (RFC 8617 section
/// 5.1.2); a chain whose newest seal already says `cv=fail` is not sealed
/// at all (section 5.1 step 2), nor is one that already holds instance 50.
///
/// The fields are hashed the DKIM way (`DKIMHeaderSelection`,
/// `DKIMHeaderHash`, `DKIMBodyHasher`), the body as it streams by.
public final class ARCSealer: MessageHeaderFieldConsumer {
    public let options: ARCSealerOptions
    private let key: DKIMSigningKey
    private let algorithm: DKIMAlgorithm

    private let input: DKIMSigningInput
    private var chain = ARCChain([])
    private var output: ARCSealOutput? = nil

    public init(key: DKIMSigningKey, options: ARCSealerOptions) throws(ARCSealerError) {
        let algorithm = options.algorithm ?? key.defaultAlgorithm
        guard algorithm.keyType == key.keyType, algorithm != .rsaSHA1 else { throw .unsupportedAlgorithm(algorithm) }
        guard DKIMDomainName.isValid(options.domain) else { throw .invalidDomain(options.domain) }
        guard DKIMDomainName.isValid(options.selector) else { throw .invalidSelector(options.selector) }
        let signed = Set(options.signedHeaders.map { $0.lowercased() })
        if let forbidden = ARCSealerOptions.forbiddenSignedHeaders.first(where: signed.contains) {
            throw .invalidSignedHeaders("\(forbidden) must not be signed (RFC 8617 section 4.1.2)")
        }
        guard signed.contains("from") else { throw .invalidSignedHeaders("from must be signed (RFC 6376 section 5.4)") }
        guard let input = DKIMSigningInput(bodyCanonicalization: options.bodyCanonicalization, hash: algorithm.hash,
                                           signedHeaders: options.signedHeaders, overSignedHeaders: options.overSignedHeaders) else {
            throw .crypto("digest unavailable")
        }
        self.key = key
        self.options = options
        self.algorithm = algorithm
        self.input = input
    }

    // MARK: Feeding the message

    /// A header field exactly as it stands in the message (including any
    /// DKIM-Signature added here: sealing comes after every change,
    /// RFC 8617 section 5.1 step 1).
    public func header(_ field: MessageHeaderField) {
        input.header(field)
    }

    /// Picks the fields the ARC-Message-Signature covers and keeps the ARC
    /// fields the seal may need; the rest of the header is dropped.
    public func endOfHeaders() {
        guard let (_, fields) = input.endOfHeaders() else { return }
        chain = ARCChain(fields)
    }

    public func body(_ chunk: UnsafeRawBufferPointer) {
        endOfHeaders()
        input.body(chunk)
    }

    /// Makes the set.
    /// - Parameters:
    ///   - verification: `ARCVerifier`'s result for this same message.
    ///   - authservID: this ADMD's authserv-id.
    ///   - results: the method results after the authserv-id, as they go
    ///     into this ADMD's Authentication-Results (`"spf=pass
    ///     smtp.mailfrom=a.example; dkim=pass header.d=a.example"`), LF or
    ///     CRLF folds allowed; empty for `none`.
    public func finish(verification: ARCVerifierResult, authservID: String,
                       results: String) throws(ARCSealerError) -> ARCSealOutput {
        if let output { return output }
        endOfHeaders()
        try Self.checkAuthservID(authservID)
        let resultsText = try Self.normalizedResults(results)

        if chain.latestSealStatus == .fail || verification.latestSealStatus == .fail { throw .chainAlreadyFailed }
        let instance = chain.highestInstance + 1
        guard ARCInstance.isValid(instance) else { throw .instanceLimitReached(chain.highestInstance) }
        let status = verification.status
        let prior = try priorSets(for: status, verification: verification)

        let bodyHash = input.bodyHash()
        guard !bodyHash.isEmpty else { throw .crypto("body digest failed") }
        let timestamp = String(options.clock.now())
        let width = options.foldWidth

        let fold = width > 0 ? "\r\n\t" : " "
        let aar = "i=\(instance); \(authservID);" + fold + (resultsText.isEmpty ? "none" : resultsText)
        let aarField = MessageHeaderField(name: ARCHeaderKind.authenticationResults.fieldName, value: " " + aar)

        // The ARC-Message-Signature: the message's fields in h= order.
        let canonicalization = "\(options.headerCanonicalization.rawValue)/\(options.bodyCanonicalization.rawValue)"
        func messageSignature(_ b: String?) -> String {
            ARCSignatureLayout.render(fieldName: ARCHeaderKind.messageSignature.fieldName, tags: [
                ("a", .text(algorithm.rawValue)), ("b", .signature(b)), ("bh", .text(CryptoBase64.encode(bodyHash))),
                ("c", .text(canonicalization)), ("d", .text(options.domain)), ("h", .list(input.signedNames)),
                ("i", .text(String(instance))), ("s", .text(options.selector)), ("t", .text(timestamp)),
            ], width: width)
        }
        let amsSignature = try sign(fields: input.selected, field: ARCHeaderKind.messageSignature, value: messageSignature(nil),
                                    canonicalization: options.headerCanonicalization)
        let ams = messageSignature(amsSignature)
        let amsField = MessageHeaderField(name: ARCHeaderKind.messageSignature.fieldName, value: " " + ams)

        // The ARC-Seal: the earlier sets (none when the chain failed), the
        // new AAR and AMS, itself; always relaxed.
        func seal(_ b: String?) -> String {
            ARCSignatureLayout.render(fieldName: ARCHeaderKind.seal.fieldName, tags: [
                ("a", .text(algorithm.rawValue)), ("b", .signature(b)), ("cv", .text(status.rawValue)),
                ("d", .text(options.domain)), ("i", .text(String(instance))), ("s", .text(options.selector)),
                ("t", .text(timestamp)),
            ], width: width)
        }
        let sealSignature = try sign(fields: prior + [aarField, amsField], field: .seal, value: seal(nil),
                                     canonicalization: .relaxed)
        let result = ARCSealOutput(instance: instance, chainStatus: status, authenticationResults: aar,
                                   messageSignature: ams, seal: seal(sealSignature))
        output = result
        input.sealed = true
        return result
    }

    /// Seals a whole message held in memory (tests, tools).
    public static func seal(message: [UInt8], key: DKIMSigningKey, options: ARCSealerOptions,
                            verification: ARCVerifierResult, authservID: String,
                            results: String) throws(ARCSealerError) -> ARCSealOutput {
        let sealer = try ARCSealer(key: key, options: options)
        let (fields, bodyStart) = MessageHeaderSplitter.split(message)
        for field in fields { sealer.header(field) }
        sealer.endOfHeaders()
        sealer.body(message[bodyStart...])
        return try sealer.finish(verification: verification, authservID: authservID, results: results)
    }

    // MARK: Steps

    /// The fields of the sets the new seal covers, after checking that
    /// the verification describes this message's chain.
    private func priorSets(for status: ARCChainStatus,
                           verification: ARCVerifierResult) throws(ARCSealerError) -> [MessageHeaderField] {
        switch status {
        case .none:
            guard chain.isEmpty else { throw .verificationMismatch("status none, but the message has ARC fields") }
            return []
        case .fail:
            guard !chain.isEmpty else { throw .verificationMismatch("status fail, but the message has no ARC field") }
            return []
        case .pass:
            guard case .success(let sets) = chain.sets(), sets.count == verification.instanceCount else {
                throw .verificationMismatch("status pass, but the message's ARC sets are not a valid chain of "
                                            + "\(verification.instanceCount)")
            }
            return sets.flatMap(\.fields)
        }
    }

    /// Hashes `fields` then the new field (its `b=` empty) and signs.
    private func sign(fields covered: [MessageHeaderField], field kind: ARCHeaderKind, value: String,
                      canonicalization: Canonicalization) throws(ARCSealerError) -> String {
        guard let digest = CryptoDigest(algorithm.hash) else { throw .crypto("digest unavailable") }
        DKIMHeaderHash.addFields(covered, canonicalization, to: digest)
        let unsigned = MessageHeaderField(name: kind.fieldName, value: " " + value)
        let hash = DKIMHeaderHash.finish(signatureField: unsigned, canonicalization, digest: digest)
        guard !hash.isEmpty else { throw .crypto("header digest failed") }
        do {
            switch algorithm.keyType {
            case .rsa: return CryptoBase64.encode(try key.privateKey.signRSA(digest: hash, hash: algorithm.hash))
            case .ed25519: return CryptoBase64.encode(try key.privateKey.signEd25519(message: hash))
            }
        } catch {
            throw .crypto(error.message)
        }
    }

    /// An authserv-id we write: a non-empty token (no whitespace, no
    /// control character, no `;`).
    private static func checkAuthservID(_ id: String) throws(ARCSealerError) {
        guard !id.isEmpty, id.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F && $0 != UInt8(ascii: ";") }) else {
            throw .invalidAuthservID(id)
        }
    }

    /// The results with CRLF line ends and no whitespace at the ends;
    /// refused when they would end the field early or smuggle in a field.
    private static func normalizedResults(_ text: String) throws(ARCSealerError) -> String {
        var bytes = MessageHeaderField.crlfLineEnds(Array(text.utf8))
        while let first = bytes.first, DKIMTagList.isWhitespace(first) { bytes.removeFirst() }
        while let last = bytes.last, DKIMTagList.isWhitespace(last) { bytes.removeLast() }
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case 0x00:
                throw .invalidAuthenticationResults("NUL byte")
            case 0x0D:
                guard index + 2 < bytes.count, bytes[index + 1] == 0x0A,
                      bytes[index + 2] == 0x20 || bytes[index + 2] == 0x09 else {
                    throw .invalidAuthenticationResults("line break not followed by whitespace")
                }
            default:
                continue
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
