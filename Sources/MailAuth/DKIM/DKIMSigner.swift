/// Makes a DKIM-Signature (RFC 6376 section 5; rsa-sha256 or RFC 8463
/// ed25519-sha256) for a message fed like `DKIMVerifier`: header fields,
/// `endOfHeaders()`, body chunks (hashed as they come, never stored), then
/// `finish()`.
///
///     let signer = try DKIMSigner(key: key, options: DKIMSignerOptions(domain: "example.com", selector: "s1"))
///     for field in fields { signer.header(field) }
///     signer.endOfHeaders()
///     signer.body(bodyBytes)
///     let signature = try signer.finish()   // prepend signature.headerBytes
public final class DKIMSigner: MessageHeaderFieldConsumer {
    public let options: DKIMSignerOptions
    private let key: DKIMSigningKey
    private let algorithm: DKIMAlgorithm

    private let input: DKIMSigningInput
    private var missingFrom = false
    private var output: DKIMSignatureOutput? = nil

    public init(key: DKIMSigningKey, options: DKIMSignerOptions) throws(DKIMSignerError) {
        let algorithm = options.algorithm ?? key.defaultAlgorithm
        guard algorithm.keyType == key.keyType else { throw .algorithmDoesNotMatchKey(algorithm) }
        // The signer writes ASCII names only (A-labels are always valid,
        // RFC 8616 section 3); the verifier also reads U-labels.
        guard DKIMDomainName.isValid(options.domain) else { throw .invalidDomain(options.domain) }
        guard DKIMDomainName.isValid(options.selector) else { throw .invalidSelector(options.selector) }
        if let identity = options.identity {
            guard let at = identity.lastIndex(of: "@"),
                  DKIMDomainName.isSameOrSubdomain(String(identity[identity.index(after: at)...]), of: options.domain),
                  identity.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ";") }) else {
                throw .invalidIdentity(identity)
            }
        }
        guard options.signedHeaders.contains(where: { $0.lowercased() == "from" }) else { throw .fromNotSigned }
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

    public func header(_ field: MessageHeaderField) {
        input.header(field)
    }

    /// Chooses the fields to sign: every present instance of each name in
    /// `signedHeaders`, plus one more for the over-signed names.
    public func endOfHeaders() {
        guard let (selection, _) = input.endOfHeaders() else { return }
        missingFrom = selection.count(of: Array("from".utf8)) == 0
    }

    public func body(_ chunk: UnsafeRawBufferPointer) {
        endOfHeaders()
        input.body(chunk)
    }

    /// Computes the body hash, lays out the field, signs it.
    public func finish() throws(DKIMSignerError) -> DKIMSignatureOutput {
        if let output { return output }
        endOfHeaders()
        guard !missingFrom else { throw .noFromHeader }
        let bodyHash = input.bodyHash()
        guard !bodyHash.isEmpty else { throw .crypto("body digest failed") }

        let now = options.clock.now()
        var layout = DKIMSignatureFolding(width: options.foldWidth, startColumn: "\(DKIMSignatureOutput.name): ".utf8.count)
        layout.add("v=1;")
        layout.add("a=\(algorithm.rawValue);")
        layout.add("c=\(options.headerCanonicalization.rawValue)/\(options.bodyCanonicalization.rawValue);")
        layout.add("d=\(options.domain);")
        layout.add("s=\(options.selector);")
        if let identity = options.identity { layout.add("i=\(identity);") }
        if options.includeTimestamp { layout.add("t=\(now);") }
        if let expiresAfter = options.expiresAfter { layout.add("x=\(now + expiresAfter);") }
        if options.includeBodyLength { layout.add("l=\(input.canonicalBodyLength);") }
        layout.addList(name: "h", items: input.signedNames)
        layout.add("bh=\(CryptoBase64.encode(bodyHash));")
        layout.add("b=")
        let unsignedValue = layout.text

        guard let digest = CryptoDigest(algorithm.hash) else { throw .crypto("digest unavailable") }
        DKIMHeaderHash.addFields(input.selected, options.headerCanonicalization, to: digest)
        let unsignedField = MessageHeaderField(name: DKIMSignatureOutput.name, value: " " + unsignedValue)
        let headerHash = DKIMHeaderHash.finish(signatureField: unsignedField, options.headerCanonicalization, digest: digest)
        guard !headerHash.isEmpty else { throw .crypto("header digest failed") }

        let signature: [UInt8]
        do {
            switch algorithm.keyType {
            case .rsa: signature = try key.privateKey.signRSA(digest: headerHash, hash: algorithm.hash)
            case .ed25519: signature = try key.privateKey.signEd25519(message: headerHash)
            }
        } catch {
            throw .crypto(error.message)
        }
        layout.addBase64(CryptoBase64.encode(signature))
        let result = DKIMSignatureOutput(value: layout.text)
        output = result
        input.sealed = true
        return result
    }

    /// Signs a whole message held in memory (tests, tools).
    public static func sign(message: [UInt8], key: DKIMSigningKey,
                            options: DKIMSignerOptions) throws(DKIMSignerError) -> DKIMSignatureOutput {
        let signer = try DKIMSigner(key: key, options: options)
        let (fields, bodyStart) = MessageHeaderSplitter.split(message)
        for field in fields { signer.header(field) }
        signer.endOfHeaders()
        signer.body(message[bodyStart...])
        return try signer.finish()
    }
}
