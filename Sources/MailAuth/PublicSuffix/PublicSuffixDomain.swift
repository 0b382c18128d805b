/// How names are put in one form before they meet the public suffix list:
/// surrounding whitespace and one trailing dot dropped, ASCII lowercased,
/// non-ASCII labels lowercased and turned into A-labels (`xn--...`);
/// A-labels given as such pass through unchanged.
public enum PublicSuffixDomain {
    /// Longest name looked at, in bytes; longer input is not a domain
    /// name (RFC 1035: 253 in presentation form), the cap keeps work small.
    public static let maximumLength = 253

    /// The normalized name, or nil when it is empty or too long, or a
    /// non-ASCII label cannot be encoded.
    public static func normalized(_ name: String) -> String? {
        var text = Substring(name)
        // Bounded work on garbage: anything much longer than a name is refused
        // before any per-label processing.
        guard text.utf8.count <= maximumLength * 4 else { return nil }
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\r" || last == "\n" { text.removeLast() }
        if text.last == "." { text.removeLast() }
        guard !text.isEmpty else { return nil }
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            let lowered = String(decoding: text.utf8.map { $0 >= 0x41 && $0 <= 0x5a ? $0 | 0x20 : $0 }, as: UTF8.self)
            return lowered.utf8.count <= maximumLength ? lowered : nil
        }
        // The one IDNA conversion every mail name goes through.
        guard let joined = DomainNameIDNA.toASCII(String(text)), !joined.hasSuffix(".") else { return nil }
        return joined.utf8.count <= maximumLength ? joined : nil
    }
}
