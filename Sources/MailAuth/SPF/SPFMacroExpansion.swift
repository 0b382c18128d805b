/// Where macro letters get their values during one check (RFC 7208
/// section 7.3). `SPFCheck` is the real one; `%{p}` may cost DNS lookups,
/// so values are asked for only when a macro is actually expanded.
protocol SPFMacroSource: AnyObject {
    /// The value of a lowercased macro letter, with `domain` the current
    /// `<domain>`.
    func macroValue(_ letter: Character, domain: String) -> String
}

extension SPFMacroString {
    enum Target {
        /// A name to look up: if the text grows past the limit, its left
        /// end is dropped (truncation keeps the right end anyway).
        case domain
        /// Text for people: cut at the limit.
        case explanation
    }

    /// Substitutes every macro, applying transformers and URL escaping.
    /// Output is bounded by `limit` whatever the input, so a record full of
    /// `%{s}` cannot make the checker build megabytes.
    func expand(domain: String, source: any SPFMacroSource, limit: Int, target: Target) -> String {
        if items.count == 1, case .literal(let text) = items[0] { return text }
        var out: [UInt8] = []
        for item in items {
            switch item {
            case .literal(let text), .escape(let text):
                out.append(contentsOf: text.utf8)
            case .macro(let macro):
                var value = source.macroValue(macro.letter, domain: domain)
                if macro.transforms { value = SPFMacroString.transform(value, macro) }
                if macro.urlEscaped { value = SPFMacroString.urlEscaped(value) }
                out.append(contentsOf: value.utf8)
            }
            switch target {
            case .domain:
                if out.count > 2 * limit { out.removeFirst(out.count - limit) }
            case .explanation:
                if out.count > limit {
                    out.removeLast(out.count - limit)
                    return String(decoding: out, as: UTF8.self)
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Splits on the delimiters ("." when none are written), reverses when
    /// asked, keeps the right-hand parts asked for, and rejoins with "."
    /// (section 7.3).
    static func transform(_ value: String, _ macro: SPFMacro) -> String {
        let delimiters = macro.delimiters.isEmpty ? ["."] : macro.delimiters
        var parts = value.split(omittingEmptySubsequences: false, whereSeparator: { delimiters.contains($0) })
        if macro.reversed { parts.reverse() }
        if let keep = macro.rightParts, keep < parts.count { parts.removeFirst(parts.count - keep) }
        return parts.joined(separator: ".")
    }

    /// Uppercase macros: every byte outside `unreserved` (ALPHA DIGIT "-"
    /// "." "_" "~") as %XX of its UTF-8 encoding (section 7.3).
    static func urlEscaped(_ value: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in value.utf8 {
            if SPFText.isAlpha(byte) || SPFText.isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~") {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xf)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
