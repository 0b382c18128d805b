/// What DKIM signing and ARC sealing both do with the message before they
/// sign: keep the header fields until the end of the header, then pick the
/// fields `h=` covers (`signedHeaders`, plus one more instance of each
/// over-signed name), and hash the body as it streams by.
final class DKIMSigningInput {
    private let signedHeaders: [String]
    private let overSignedHeaders: [String]
    private let bodyHasher: DKIMBodyHasher
    private var fields: [MessageHeaderField] = []
    private(set) var headersDone = false
    /// The `h=` list, once the header is complete.
    private(set) var signedNames: [String] = []
    /// The fields `h=` names, in `h=` order.
    private(set) var selected: [MessageHeaderField] = []
    /// Set when the signature is made: later body chunks are ignored.
    var sealed = false

    /// nil when the digest is not available.
    init?(bodyCanonicalization: Canonicalization, hash: CryptoHash, signedHeaders: [String], overSignedHeaders: [String]) {
        guard let hasher = DKIMBodyHasher(DKIMBodyHasher.Key(canonicalization: bodyCanonicalization, hash: hash, limit: nil)) else {
            return nil
        }
        self.bodyHasher = hasher
        self.signedHeaders = signedHeaders
        self.overSignedHeaders = overSignedHeaders
    }

    func header(_ field: MessageHeaderField) {
        guard !headersDone else { return }
        fields.append(field)
    }

    /// Ends the header (once): chooses the signed fields and hands back the
    /// whole header for what else the caller needs from it (ARC's chain,
    /// DKIM's From check); nil when the header had already ended.
    func endOfHeaders() -> (selection: DKIMHeaderSelection, fields: [MessageHeaderField])? {
        guard !headersDone else { return nil }
        headersDone = true
        let selection = DKIMHeaderSelection(fields)
        signedNames = Self.signedNames(signedHeaders, overSigned: overSignedHeaders, in: selection)
        selected = selection.select(signedNames.map { Array($0.utf8) }).fields
        let all = fields
        fields = []
        return (selection, all)
    }

    func body(_ chunk: UnsafeRawBufferPointer) {
        guard !sealed else { return }
        bodyHasher.update(chunk)
    }

    /// The body hash (empty when the digest failed).
    func bodyHash() -> [UInt8] { bodyHasher.finish() }

    /// The body's canonical length so far (`l=`).
    var canonicalBodyLength: UInt64 { bodyHasher.canonicalLength }

    /// The `h=` list: each name (lowercased, first mention only) once per
    /// field present, once more when over-signed.
    static func signedNames(_ names: [String], overSigned: [String], in selection: DKIMHeaderSelection) -> [String] {
        var result: [String] = []
        var seen = Set<String>()
        let overSigned = Set(overSigned.map { $0.lowercased() })
        for name in names.map({ $0.lowercased() }) where seen.insert(name).inserted {
            let present = selection.count(of: Array(name.utf8))
            let times = present + (overSigned.contains(name) ? 1 : 0)
            result.append(contentsOf: repeatElement(name, count: times))
        }
        return result
    }
}
