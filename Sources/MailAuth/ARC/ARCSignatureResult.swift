/// The verdict on one ARC-Message-Signature or ARC-Seal, in the words the
/// DKIM verifier uses for a DKIM-Signature (RFC 8601 result, Mail::DKIM's
/// `result_detail`), with what a report needs about it.
public struct ARCSignatureResult: Sendable, Hashable {
    /// `.messageSignature` or `.seal`.
    public var kind: ARCHeaderKind
    public var instance: Int
    /// RFC 8601 result of this one signature: `pass`, `fail`, `policy`
    /// (key too short), `permerror` (unusable tags or key record),
    /// `temperror` (key lookup failed; for the chain that is still a
    /// failure, RFC 8617 section 5.2.1).
    public var result: DKIMResult
    /// "pass", "fail (body has been altered)", "invalid (public key: not
    /// available)", as for DKIM (docs/dkim.md lists them), plus ARC's own
    /// "invalid (...)" reasons (docs/arc.md).
    public var detail: String
    /// `d=`, lowercased, `s=`, `a=` lowercased, when present.
    public var domain: String?
    public var selector: String?
    public var algorithm: String?
    /// The public key's size in bits, when it was loaded.
    public var keyBits: Int?

    public init(kind: ARCHeaderKind, instance: Int, result: DKIMResult, detail: String, domain: String?,
                selector: String?, algorithm: String?, keyBits: Int?) {
        self.kind = kind
        self.instance = instance
        self.result = result
        self.detail = detail
        self.domain = domain
        self.selector = selector
        self.algorithm = algorithm
        self.keyBits = keyBits
    }

    /// Mail::DKIM's item in an ARC result detail: `as.2.example.com=pass`.
    public var summary: String {
        "\(kind.shortName).\(instance).\(domain ?? "(none)")=\(detail)"
    }
}
