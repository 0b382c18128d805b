/// Pulls mailbox addresses out of an envelope argument or an address
/// header (From:), the way the Perl program's get_addresses_from does for
/// practical input: angle-bracketed addresses win; otherwise bare words
/// holding '@'; comments and quoted display names are skipped.
///
/// One pass over the text (each character is looked at a bounded number of
/// times), so a huge header costs time in proportion to its size; `limit`
/// stops collecting after that many addresses, bounding the work and the
/// result for a caller that will not use more (the DMARC handler).
public enum EmailAddressParser {
    public static func addresses(in text: String, limit: Int = Int.max) -> [String] {
        guard limit > 0 else { return [] }
        let cleaned = stripCommentsAndQuotes(text)
        var found: [String] = []
        var rest = Substring(cleaned)
        while found.count < limit, let open = rest.firstIndex(of: "<") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: ">") else { break }
            let inside = after[..<close].trimmingSpaces()
            if !inside.isEmpty { found.append(String(inside)) }
            rest = after[after.index(after: close)...]
        }
        if !found.isEmpty { return found }
        for word in cleaned.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" || $0 == ";" }) where word.contains("@") {
            found.append(String(word))
            if found.count == limit { break }
        }
        return found
    }

    /// The part after the last '@', without a trailing dot.
    public static func domain(of address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return "" }
        var domain = address[address.index(after: at)...]
        while domain.hasSuffix(".") { domain = domain.dropLast() }
        return String(domain)
    }

    /// Removes (comments), honouring nesting and backslash escapes, and
    /// drops "quoted display names" so an '@' inside them is not taken.
    static func stripCommentsAndQuotes(_ text: String) -> String {
        var out = ""
        var depth = 0
        var inQuote = false
        var escaped = false
        for ch in text {
            if escaped { escaped = false; if depth == 0 && !inQuote { out.append(ch) }; continue }
            if ch == "\\" { escaped = true; continue }
            if inQuote { if ch == "\"" { inQuote = false; out.append(" ") }; continue }
            if depth > 0 {
                if ch == "(" { depth += 1 } else if ch == ")" { depth -= 1 }
                continue
            }
            switch ch {
            case "\"": inQuote = true
            case "(": depth = 1; out.append(" ")
            default: out.append(ch)
            }
        }
        return out
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
