/// Identifier alignment mode (RFC 7489 section 3.1): `adkim` and `aspf`.
public enum DMARCAlignmentMode: String, Sendable, Hashable {
    /// Organizational Domains equal (the default).
    case relaxed = "r"
    /// Domains equal.
    case strict = "s"
}

/// How an identifier aligned, for reports ("strict"/"relaxed" as
/// Mail::DMARC names them).
public enum DMARCAlignment: String, Sendable, Hashable {
    case strict
    case relaxed
}
