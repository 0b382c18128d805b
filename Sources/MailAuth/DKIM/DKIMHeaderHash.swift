/// The header hash of RFC 6376 section 3.7: the selected fields, each
/// canonicalized and ending in CRLF, then the DKIM-Signature field itself
/// (its `b=` value removed) canonicalized without a final CRLF.
enum DKIMHeaderHash {
    /// Feeds the selected fields into `digest`.
    static func addFields(_ fields: [MessageHeaderField], _ canonicalization: Canonicalization, to digest: CryptoDigest) {
        var buffer: [UInt8] = []
        for field in fields {
            buffer.removeAll(keepingCapacity: true)
            CanonicalizationHeader.append(field, canonicalization, to: &buffer)
            buffer.append(contentsOf: [0x0D, 0x0A])
            digest.update(buffer)
        }
    }

    /// Feeds the signature field (already without its `b=` value) and
    /// returns the final hash.
    static func finish(signatureField: MessageHeaderField, _ canonicalization: Canonicalization,
                       digest: CryptoDigest) -> [UInt8] {
        var buffer: [UInt8] = []
        CanonicalizationHeader.append(signatureField, canonicalization, to: &buffer)
        digest.update(buffer)
        return digest.finalize()
    }
}
