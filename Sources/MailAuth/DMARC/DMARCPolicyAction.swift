/// A requested policy or a disposition (RFC 7489 section 6.3 `p`, `sp`;
/// RFC 9091 `np`): what the Domain Owner asks for a failing message.
public enum DMARCPolicyAction: String, Sendable, Hashable, CaseIterable, Comparable {
    case none
    case quarantine
    case reject

    /// Parses a tag value, case-insensitively; nil for anything else.
    public init?(tagValue: some StringProtocol) {
        switch tagValue.lowercased() {
        case "none": self = .none
        case "quarantine": self = .quarantine
        case "reject": self = .reject
        default: return nil
        }
    }

    /// One step less severe (RFC 7489 section 6.6.4, pct sampling; RFC 9989
    /// `t=y`): reject → quarantine → none.
    public var lowered: DMARCPolicyAction {
        switch self {
        case .reject: return .quarantine
        case .quarantine, .none: return .none
        }
    }

    private var severity: Int {
        switch self {
        case .none: return 0
        case .quarantine: return 1
        case .reject: return 2
        }
    }

    public static func < (lhs: DMARCPolicyAction, rhs: DMARCPolicyAction) -> Bool { lhs.severity < rhs.severity }
}
