/// DKIM's two canonicalization algorithms (RFC 6376 section 3.4), used
/// separately for the header fields and for the body (`c=header/body`).
public enum Canonicalization: String, Sendable, Hashable, CaseIterable {
    case simple
    case relaxed

    /// Parses a `c=` value. Absent means `simple/simple`; a single word is
    /// the header algorithm with a simple body (RFC 6376 section 3.5).
    /// Case-insensitive, as Mail::DKIM reads it. Nil for anything else.
    public static func parsePair(_ text: String?) -> (header: Canonicalization, body: Canonicalization)? {
        guard let text, !text.isEmpty else { return (.simple, .simple) }
        let lowered = text.lowercased()
        let parts = lowered.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let header = Canonicalization(rawValue: String(parts[0])) else { return nil }
        guard parts.count == 2 else { return (header, .simple) }
        guard let body = Canonicalization(rawValue: String(parts[1])) else { return nil }
        return (header, body)
    }
}
