/// A Chain Validation Status (RFC 8617 section 4.4): the result of
/// validating an Authenticated Received Chain, and the value an ARC-Seal
/// carries in `cv=`.
public enum ARCChainStatus: String, Sendable, Hashable, CaseIterable {
    /// No ARC header field at all.
    case none
    /// The chain validated.
    case pass
    /// The chain is there but did not validate.
    case fail

    /// Reads a `cv=` value. The ABNF literals of RFC 8617 section 3.9 are
    /// case-insensitive (RFC 5234 section 2.3); anything else is nil.
    public init?(tagValue: String) {
        self.init(rawValue: tagValue.lowercased())
    }
}
