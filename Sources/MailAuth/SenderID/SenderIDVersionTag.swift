/// The version section of a Sender ID record (RFC 4406 section 3.1):
/// `spf2.0/` and a comma-separated list of scopes, then a space or the end,
/// read as Mail::SPF reads it: `spf2.0` and the scope names match in any
/// case, but only the scopes `mfrom` and `pra` make a record, and a scope
/// that is not written in lower case is then an error ("Invalid scope
/// 'PRA' for spf2.0 record"). Anything else (`spf2.0/pra,helo`,
/// `spf2.0/`, `v=spf1`) is not a Sender ID record and is ignored.
struct SenderIDVersionTag: Hashable, Sendable {
    /// The scopes as written.
    let scopes: [String]
    /// Bytes of the record after the version section (the terms, led by a
    /// space, or nothing).
    let terms: ArraySlice<UInt8>

    init?(_ text: [UInt8]) {
        let prefix = Array("spf2.0/".utf8)
        guard text.count >= prefix.count,
              zip(text, prefix).allSatisfy({ SPFText.lowercased($0) == $1 }) else { return nil }
        let rest = text[prefix.count...]
        let end = rest.firstIndex(of: UInt8(ascii: " ")) ?? rest.endIndex
        var scopes: [String] = []
        for piece in rest[..<end].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            let name = SPFText.ascii(piece.map(SPFText.lowercased))
            guard name == "mfrom" || name == "pra" else { return nil }
            scopes.append(SPFText.ascii(piece))
        }
        self.scopes = scopes
        self.terms = rest[end...]
    }

    /// A scope that is not in lower case, which Mail::SPF refuses.
    var invalidScope: String? {
        scopes.first { $0 != "mfrom" && $0 != "pra" }
    }

    func covers(_ scope: SPFRequest.Scope) -> Bool {
        scopes.contains(scope.rawValue)
    }

    /// How Mail::SPF names the record in messages: `spf2.0/pra`,
    /// `spf2.0/mfrom,pra`.
    var text: String { "spf2.0/" + scopes.joined(separator: ",") }

    /// The same terms behind a `v=spf1` version section: the terms of both
    /// versions have one syntax (RFC 4406 section 3.2), so `SPFRecord`
    /// parses them.
    var version1Form: [UInt8] { Array("v=spf1".utf8) + terms }

    /// Whether a text starts with `spf2.0` (any case), the test of RFC
    /// 4406 section 3.4 for using `v=spf1` records instead.
    static func isVersion2(_ text: [UInt8]) -> Bool {
        let prefix = Array("spf2.0".utf8)
        return text.count >= prefix.count && zip(text, prefix).allSatisfy { SPFText.lowercased($0) == $1 }
    }
}
