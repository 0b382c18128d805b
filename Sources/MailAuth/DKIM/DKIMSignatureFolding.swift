/// Lays out the tags of a DKIM-Signature we generate: `tag=value;`
/// separated by a space, a fold (CRLF + TAB) before a tag that would pass
/// the width, `h=` folded after a colon and `b=` split anywhere when they
/// are too long (both allow folding whitespace there, RFC 6376 section
/// 3.5). The result is what gets signed, so the layout only has to be
/// deterministic, not pretty.
struct DKIMSignatureFolding {
    let width: Int
    private(set) var text = ""
    private var column: Int

    /// `startColumn`: what precedes the value on the first line
    /// ("DKIM-Signature: ").
    init(width: Int, startColumn: Int) {
        self.width = width
        self.column = startColumn
    }

    private var folding: Bool { width > 0 }

    /// Adds a whole token (`v=1;`), folding before it if it does not fit.
    mutating func add(_ token: String, separated: Bool = true) {
        let length = token.utf8.count
        if !text.isEmpty && separated {
            if folding && column + 1 + length > width {
                text += "\r\n\t"
                column = 8
            } else {
                text += " "
                column += 1
            }
        }
        text += token
        column += length
    }

    /// Adds `h=a:b:c;`, folding after colons when needed.
    mutating func addList(name: String, items: [String]) {
        add("\(name)=" + (items.first.map { items.count == 1 ? "\($0);" : "\($0):" } ?? ";"))
        for (index, item) in items.enumerated().dropFirst() {
            let piece = item + (index == items.count - 1 ? ";" : ":")
            if folding && column + piece.utf8.count > width {
                text += "\r\n\t"
                column = 8
            }
            text += piece
            column += piece.utf8.count
        }
    }

    /// Adds the base64 of `b=` right after an already written `b=`,
    /// cutting it to the width.
    mutating func addBase64(_ value: String) {
        var rest = Substring(value)
        while !rest.isEmpty {
            let room = folding ? width - column : rest.count
            if room <= 0 && column > 8 {
                text += "\r\n\t"
                column = 8
                continue
            }
            // At least one character per line, whatever the width.
            let piece = rest.prefix(max(room, 1))
            text += piece
            column += piece.count
            rest = rest.dropFirst(piece.count)
        }
    }
}
