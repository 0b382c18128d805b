/// Breaks over-long lines of a rendered header, reproducing the Perl module's
/// FoldableHeader so that authentication_milter's output is matched byte for
/// byte, quirks included.
///
/// The tokens are cut into sections, each starting at a run of spaces. A line
/// is measured in bytes and includes the line break that starts it. When a
/// section would take its line past `tryFoldAt`, the leading spaces of the
/// section are replaced with a line break and the current indent plus two
/// spaces. If a section is too long even at the start of a line, it is split
/// before the first token that does not fit (this can break right after
/// `=`); a section that cannot be split is written as it is. The current
/// indent is the one of the last line the layout itself started (not one the
/// folder made), so continuation lines sit two spaces deeper than their
/// entry.
struct AuthResultsFolder: Sendable {
    /// The Perl module's try-fold length when none is configured.
    static let defaultTryFoldAt = 800

    var eol: String
    var indent: String
    var subIndent = "  "
    var tryFoldAt: Int

    func render(_ tokens: [AuthResultsToken]) -> String {
        // Nothing can pass the fold width when everything together does
        // not: the output is then the tokens as they are (the usual case
        // for a single entry's sort key and for most headers).
        var total = 0
        for token in tokens { total += AuthResultsText.byteLength(token.text) }
        if total <= tryFoldAt {
            var output = ""
            output.reserveCapacity(total)
            for token in tokens { output += token.text }
            return output
        }
        return renderFolding(tokens)
    }

    /// `render` the long way, folding where a line would pass `tryFoldAt`.
    func renderFolding(_ tokens: [AuthResultsToken]) -> String {
        var sections: [[AuthResultsToken]] = []
        var current: [AuthResultsToken] = []
        var previousKind: AuthResultsToken.Kind?
        for token in tokens {
            if token.kind == .space && previousKind != .space {
                if !current.isEmpty { sections.append(current) }
                current = []
            }
            current.append(token)
            previousKind = token.kind
        }
        if !current.isEmpty { sections.append(current) }

        // A stack whose top is the next section, so putting a section back
        // in front of the queue is a cheap append.
        var pending = Array(sections.reversed())
        var output = ""
        var lineLength = 0
        var indent = self.indent

        while var section = pending.popLast() {
            if section[0].kind == .space && section[0].text == eol {
                lineLength = 0
                if !section[0].folded, section.count > 1, section[1].kind == .space {
                    indent = section[1].text
                }
            }
            // Measured and written token by token: no joined copy of
            // every section (issue 12).
            let length = section.reduce(0) { $0 + AuthResultsText.byteLength($1.text) }

            if lineLength + length > tryFoldAt {
                if lineLength > 0 {
                    section.removeFirst(section.prefix { $0.kind == .space }.count)
                    // Only spaces: Perl would die here; no header we build
                    // ends in spaces, so dropping them is the safe reading.
                    if section.isEmpty { continue }
                    let lineBreak = AuthResultsToken(kind: .space, text: eol, folded: true)
                    let lead = AuthResultsToken(kind: .space, text: indent + subIndent)
                    pending.append([lineBreak, lead] + section)
                    continue
                }
                if let (first, second) = split(section, indent: indent) {
                    pending.append(second)
                    pending.append(first)
                    continue
                }
            }
            for token in section { output += token.text }
            lineLength += length
        }
        return output
    }

    /// Splits a section that is too long for a line of its own before the
    /// first token that does not fit; nil when either half would hold
    /// nothing but spaces.
    private func split(_ section: [AuthResultsToken], indent: String)
        -> ([AuthResultsToken], [AuthResultsToken])?
    {
        var first: [AuthResultsToken] = []
        var second = [
            AuthResultsToken(kind: .space, text: eol, folded: true),
            AuthResultsToken(kind: .space, text: indent + subIndent),
        ]
        var firstLength = 0
        var full = false
        for part in section {
            if !full && part.length + firstLength < tryFoldAt {
                first.append(part)
                firstLength += part.length
            } else {
                second.append(part)
                full = true
            }
        }
        let hasContent = { (tokens: [AuthResultsToken]) in tokens.contains { $0.kind != .space } }
        guard hasContent(first) && hasContent(second) else { return nil }
        return (first, second)
    }
}
