/// What ends an SMTP exchange in this module, with a code for logs and
/// tests (docs/architecture.md "Errors").
public enum SMTPProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A line longer than its limit (a command, a header, a reply line).
    case lineTooLong
    /// A downstream reply that is not `ddd[ -]text`.
    case malformedReply(String)
    /// A downstream reply of more lines than `SMTPReplyDecoder.maximumLines`.
    case tooManyReplyLines
    /// A multi-line reply whose lines carry different codes.
    case mixedCodes(first: Int, then: Int)

    public enum Code: String, Sendable {
        case lineTooLong = "line-too-long"
        case malformedReply = "malformed-reply"
        case tooManyReplyLines = "too-many-reply-lines"
        case mixedCodes = "mixed-codes"
    }

    public var code: Code {
        switch self {
        case .lineTooLong: .lineTooLong
        case .malformedReply: .malformedReply
        case .tooManyReplyLines: .tooManyReplyLines
        case .mixedCodes: .mixedCodes
        }
    }

    public var reason: String {
        switch self {
        case .lineTooLong: "line too long"
        case .malformedReply(let line): "malformed reply line \(line.debugDescription)"
        case .tooManyReplyLines: "reply has too many lines"
        case .mixedCodes(let first, let then): "reply mixes codes \(first) and \(then)"
        }
    }

    public var description: String { "SMTP error \(code.rawValue): \(reason)" }
}
