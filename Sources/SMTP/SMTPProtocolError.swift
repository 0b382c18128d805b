/// What ends an SMTP exchange in this module, with a code for logs and
/// tests (docs/architecture.md "Errors").
public enum SMTPProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A line longer than its limit (a command, a header, a reply line).
    case lineTooLong
    /// A downstream reply that is not `ddd[ -]text`.
    case malformedReply(String)
    /// A downstream reply of more lines than `SMTPReplyDecoder.maximumLines`.
    case tooManyReplyLines

    public var code: Int {
        switch self {
        case .lineTooLong: 1
        case .malformedReply: 2
        case .tooManyReplyLines: 3
        }
    }

    public var reason: String {
        switch self {
        case .lineTooLong: "line too long"
        case .malformedReply(let line): "malformed reply line \(line.debugDescription)"
        case .tooManyReplyLines: "reply has too many lines"
        }
    }

    public var description: String { "SMTP error \(code): \(reason)" }
}
