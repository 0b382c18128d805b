/// The seven results of `check_host()` (RFC 7208 section 2.6), spelled as
/// they appear in `Authentication-Results` and `Received-SPF`.
public enum SPFResultCode: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case pass
    case fail
    case softfail
    case neutral
    case none
    case permerror
    case temperror

    public var description: String { rawValue }
}

/// A mechanism's prefix (RFC 7208 section 4.6.2): which result a match
/// gives. `+` is the default and is not written back.
public enum SPFQualifier: Character, Hashable, Sendable {
    case pass = "+"
    case fail = "-"
    case softfail = "~"
    case neutral = "?"

    public var result: SPFResultCode {
        switch self {
        case .pass: return .pass
        case .fail: return .fail
        case .softfail: return .softfail
        case .neutral: return .neutral
        }
    }
}
