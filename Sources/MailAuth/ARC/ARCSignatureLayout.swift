/// Writes the tag list of an ARC-Message-Signature or ARC-Seal we make:
/// tags in the order given (the sealer uses alphabetical order, as the
/// ARC test suite's expected fields and Mail::DKIM with `SORTTAGS` do),
/// `b=` wherever it falls, no `;` after the last tag, folded by
/// `DKIMSignatureFolding` (CRLF + TAB before a tag that passes the width,
/// `h=` after a colon, `b=` anywhere).
///
/// Laid out once with `b=` empty (what is signed) and once with the
/// signature: the two differ only in the `b=` value and in where folding
/// whitespace falls, which is exactly what a verifier's relaxed
/// canonicalization of the field without its `b=` value ignores.
enum ARCSignatureLayout {
    enum Value {
        case text(String)
        /// `h=`: names joined with `:`.
        case list([String])
        /// `b=`: the base64 signature, or nil for the unsigned layout.
        case signature(String?)
    }

    static func render(fieldName: String, tags: [(name: String, value: Value)], width: Int) -> String {
        var layout = DKIMSignatureFolding(width: width, startColumn: fieldName.utf8.count + 2)
        for (index, tag) in tags.enumerated() {
            let terminator = index == tags.count - 1 ? "" : ";"
            switch tag.value {
            case .text(let text):
                layout.add("\(tag.name)=\(text)\(terminator)")
            case .list(let names):
                // addList always ends the list with ";".
                layout.addList(name: tag.name, items: names)
            case .signature(let base64):
                layout.add("\(tag.name)=")
                if let base64 { layout.addBase64(base64) }
                if !terminator.isEmpty { layout.add(terminator, separated: false) }
            }
        }
        return layout.text
    }
}
