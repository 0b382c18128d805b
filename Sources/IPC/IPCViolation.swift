/// Why a receiver refused what came on a channel. Our own processes never
/// send any of these, so the receiver closes the channel; the master also
/// kills and replaces the child that sent it.
public enum IPCViolation: Error, Equatable, Sendable, CustomStringConvertible {
    /// A length header of 0 (not even a kind byte).
    case emptyFrame
    /// A kind code the direction does not have.
    case unknownKind(UInt8)
    /// The length header announces more than the message may carry
    /// (checked before the payload is buffered).
    case tooLarge(kind: String, payload: Int, limit: Int)
    /// A descriptor came with a message that carries none (or on a
    /// direction that carries none at all: `kind` is nil then).
    case unexpectedDescriptor(kind: String?)
    /// A message that must carry a descriptor came without one.
    case missingDescriptor(kind: String)
    /// On a SOCK_SEQPACKET channel, a message (`bytes` long, or longer
    /// when it was cut to the largest frame plus one) that is not whole
    /// frames: every frame must be one message.
    case notWholeFrames(bytes: Int)

    public var description: String {
        switch self {
        case .emptyFrame:
            return "empty frame"
        case .unknownKind(let code):
            return "unknown message kind \(code)"
        case .tooLarge(let kind, let payload, let limit):
            return "\(kind) message announcing \(payload) bytes (limit \(limit))"
        case .unexpectedDescriptor(let kind?):
            return "a descriptor with a \(kind) message, which carries none"
        case .unexpectedDescriptor(nil):
            return "a descriptor on a channel that carries none"
        case .missingDescriptor(let kind):
            return "\(kind) message without its descriptor"
        case .notWholeFrames(let bytes):
            return "a packet of \(bytes) bytes that is not whole frames"
        }
    }
}
