/// The three header fields of an ARC Set (RFC 8617 section 4.1).
public enum ARCHeaderKind: String, Sendable, Hashable, CaseIterable {
    case authenticationResults = "ARC-Authentication-Results"
    case messageSignature = "ARC-Message-Signature"
    case seal = "ARC-Seal"

    /// The field name as it is written.
    public var fieldName: String { rawValue }

    /// The short name Mail::DKIM uses in its result details ("as.2.example.com=pass").
    public var shortName: String {
        switch self {
        case .authenticationResults: return "aar"
        case .messageSignature: return "ams"
        case .seal: return "as"
        }
    }

    /// The kind of `field`, or nil for any other field.
    init?(field: MessageHeaderField) {
        // Cheap rejection first: every message has many other fields.
        guard field.name.count >= 8, field.name[0] | 0x20 == UInt8(ascii: "a") else { return nil }
        switch field.lowercasedName {
        case Self.lowercasedNames[0]: self = .authenticationResults
        case Self.lowercasedNames[1]: self = .messageSignature
        case Self.lowercasedNames[2]: self = .seal
        default: return nil
        }
    }

    private static let lowercasedNames: [[UInt8]] = allCases.map { MessageHeaderField.lowercased(Array($0.rawValue.utf8)) }
}
