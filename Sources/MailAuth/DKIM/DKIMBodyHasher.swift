/// One body hash computation: a canonicalizer feeding a digest. Signatures
/// that agree on body canonicalization, hash and `l=` share one, so ten
/// signatures over the same body cost one pass, not ten.
final class DKIMBodyHasher {
    struct Key: Hashable {
        let canonicalization: Canonicalization
        let hash: CryptoHash
        let limit: UInt64?
    }

    private var canonicalizer: CanonicalizationBody
    private let digest: CryptoDigest
    private(set) var result: [UInt8]? = nil

    init?(_ key: Key) {
        guard let digest = CryptoDigest(key.hash) else { return nil }
        self.digest = digest
        self.canonicalizer = CanonicalizationBody(key.canonicalization, limit: key.limit)
    }

    /// Canonical body bytes seen, before the limit.
    var canonicalLength: UInt64 { canonicalizer.canonicalLength }

    func update(_ chunk: UnsafeRawBufferPointer) {
        let digest = self.digest
        canonicalizer.update(chunk) { digest.update($0) }
    }

    /// Ends the body and returns the hash (the same on later calls).
    @discardableResult
    func finish() -> [UInt8] {
        if let result { return result }
        let digest = self.digest
        canonicalizer.finish { digest.update($0) }
        let value = digest.finalize()
        result = value
        return value
    }
}
