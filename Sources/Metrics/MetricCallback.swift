/// The milter callbacks a worker times, with the `callback` label values
/// Perl gives them (`rcptto` for RCPT TO). A small integer, so the timing
/// tables of `MetricTally` are flat arrays, not dictionaries.
public enum MetricCallback: Int, CaseIterable, Sendable {
    case connect, helo, envfrom, rcptto, header, eoh, body, eom

    public var label: String {
        switch self {
        case .connect: "connect"
        case .helo: "helo"
        case .envfrom: "envfrom"
        case .rcptto: "rcptto"
        case .header: "header"
        case .eoh: "eoh"
        case .body: "body"
        case .eom: "eom"
        }
    }

    /// The dispatcher's stage names ("envrcpt" is Perl's `rcptto` label).
    public init?(stage: String) {
        switch stage {
        case "connect": self = .connect
        case "helo": self = .helo
        case "envfrom": self = .envfrom
        case "envrcpt": self = .rcptto
        case "header": self = .header
        case "eoh": self = .eoh
        case "body": self = .body
        case "eom": self = .eom
        default: return nil
        }
    }
}
