/// The order authentication_milter gives the entries of a header: bytewise
/// by each entry's `sortKey` (its text on its own), the `dmarc` entries
/// among themselves by `DMARCResult.perlEntryOrder`.
///
/// Rendering every entry's whole text to compare them was 2% of a message
/// (issue 12). Every key starts with its entry's `sortKeyHead`
/// (`method=result`), and two keys whose heads differ at some byte differ
/// there too: most pairs (`dkim=` against `spf=`, `pass` against `fail`)
/// are decided by their heads, and a whole key is rendered, once, only for
/// an entry whose head ties with or is a prefix of another's.
public enum AuthResultsSort {
    public static func sorted(_ list: [AuthResultsEntry]) -> [AuthResultsEntry] {
        guard list.count > 1 else { return list }
        let keys = LazyKeys(list)
        let order = list.indices.sorted { a, b in
            let (x, y) = (list[a], list[b])
            if x.method == "dmarc" && y.method == "dmarc" {
                return DMARCResult.perlEntryOrder(x, sortKey: keys.key(a), y, sortKey: keys.key(b))
            }
            return keys.precedes(a, b)
        }
        return order.map { list[$0] }
    }

    /// Keys rendered when first needed, and kept.
    final class LazyKeys {
        let list: [AuthResultsEntry]
        let heads: [String]
        var keys: [String?]

        init(_ list: [AuthResultsEntry]) {
            self.list = list
            self.heads = list.map(\.sortKeyHead)
            self.keys = Array(repeating: nil, count: list.count)
        }

        func key(_ index: Int) -> String {
            if let key = keys[index] { return key }
            let key = list[index].sortKey
            keys[index] = key
            return key
        }

        /// Whether entry `a`'s key sorts before entry `b`'s (bytewise).
        func precedes(_ a: Int, _ b: Int) -> Bool {
            if let decided = AuthResultsSort.headOrder(heads[a], heads[b]) { return decided }
            return key(a).utf8.lexicographicallyPrecedes(key(b).utf8)
        }
    }

    /// The order of two keys starting with these heads, when the heads
    /// alone decide it (they differ at a byte both have); nil when one is
    /// a prefix of the other (or both are equal, or empty: a key with
    /// nothing rendered).
    static func headOrder(_ a: String, _ b: String) -> Bool? {
        guard !a.isEmpty, !b.isEmpty else { return nil }
        for (x, y) in zip(a.utf8, b.utf8) where x != y { return x < y }
        return nil
    }
}
