/// The kind of client address in a `C` (connect) command.
public enum MilterAddressFamily: Sendable, Equatable, Hashable {
    /// `U`: the MTA does not know the address; no port or address follows.
    case unknown
    /// `L`: a local (Unix-domain) socket; the address is a path.
    case unix
    /// `4`: IPv4, address in dotted-quad form.
    case inet
    /// `6`: IPv6, address in textual form.
    case inet6

    /// The byte that stands for this family on the wire.
    public var code: UInt8 {
        switch self {
        case .unknown: UInt8(ascii: "U")
        case .unix: UInt8(ascii: "L")
        case .inet: UInt8(ascii: "4")
        case .inet6: UInt8(ascii: "6")
        }
    }

    /// The family a wire byte stands for, or nil for a byte no MTA sends.
    public init?(code: UInt8) {
        switch code {
        case UInt8(ascii: "U"): self = .unknown
        case UInt8(ascii: "L"): self = .unix
        case UInt8(ascii: "4"): self = .inet
        case UInt8(ascii: "6"): self = .inet6
        default: return nil
        }
    }
}
