/// The `BIMI-Selector` header field (`v=BIMI1; s=<selector>`), read as
/// Perl's BIMI handler reads it: `^v=BIMI1;\s+s=(\w+);?`, any case; the
/// selector is lowercased. Anything else names no selector (the handler
/// then uses `default`).
public enum BIMISelectorHeader {
    public static func selector(in value: String) -> String? {
        var rest = Substring(value)
        guard rest.prefix(8).lowercased() == "v=bimi1;" else { return nil }
        rest = rest.dropFirst(8)
        let spaces = rest.prefix { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0C}" }
        guard !spaces.isEmpty else { return nil }
        rest = rest.dropFirst(spaces.count)
        guard rest.prefix(2).lowercased() == "s=" else { return nil }
        rest = rest.dropFirst(2)
        // \w: letters, digits and underscore (ASCII: a DNS label).
        let word = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        guard !word.isEmpty, word.utf8.count <= 63 else { return nil }
        return word.lowercased()
    }
}
