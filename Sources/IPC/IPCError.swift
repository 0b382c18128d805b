/// The one error of the IPC module: why a receiver refused what came on a
/// channel (a frame, a descriptor, a payload that does not decode), why a
/// helper's command line was refused, or why a scanner's address could
/// not be resolved. Our own processes never send a refused frame, so the
/// receiver closes the channel; the master also kills and replaces the
/// child that sent it.
///
/// `code` is what a program or a test matches; `reason` is the sentence
/// for the log (the receiver's log line names the channel).
public struct IPCError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// A length header of 0 (not even a kind byte).
        case emptyFrame = "empty-frame"
        /// A kind code the direction does not have.
        case unknownKind = "unknown-kind"
        /// The length header announces more than the message may carry
        /// (checked before the payload is buffered).
        case tooLarge = "too-large"
        /// A descriptor came with a message that carries none.
        case unexpectedDescriptor = "unexpected-descriptor"
        /// A message that must carry a descriptor came without one.
        case missingDescriptor = "missing-descriptor"
        /// On a SOCK_SEQPACKET channel, a packet that is not whole frames.
        case notWholeFrames = "not-whole-frames"
        /// A payload that ends before its last field.
        case truncated
        /// A payload with bytes after its last field.
        case trailingBytes = "trailing-bytes"
        /// A field of a payload over its own limit (a name, a list).
        case fieldTooLong = "field-too-long"
        /// A tag or type code in a payload that the message does not have.
        case unknownTag = "unknown-tag"
        /// A payload that does not decode otherwise (a report row, an
        /// acknowledgement, an address of the wrong length).
        case malformed
        /// A helper's command line.
        case usage
        /// A scanner's host name that does not resolve.
        case unresolvable
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }

    // MARK: Frames and descriptors

    public static let emptyFrame = IPCError(.emptyFrame, "empty frame")

    public static func unknownKind(_ code: UInt8) -> IPCError {
        IPCError(.unknownKind, "unknown message kind \(code)")
    }

    public static func tooLarge(kind: String, payload: Int, limit: Int) -> IPCError {
        IPCError(.tooLarge, "\(kind) message announcing \(payload) bytes (limit \(limit))")
    }

    /// `kind` nil: a direction that carries no descriptor at all.
    public static func unexpectedDescriptor(kind: String?) -> IPCError {
        guard let kind else { return IPCError(.unexpectedDescriptor, "a descriptor on a channel that carries none") }
        return IPCError(.unexpectedDescriptor, "a descriptor with a \(kind) message, which carries none")
    }

    public static func missingDescriptor(kind: String) -> IPCError {
        IPCError(.missingDescriptor, "\(kind) message without its descriptor")
    }

    public static func notWholeFrames(bytes: Int) -> IPCError {
        IPCError(.notWholeFrames, "a packet of \(bytes) bytes that is not whole frames")
    }

    // MARK: Payloads

    public static let truncated = IPCError(.truncated, "truncated message")
    public static let trailingBytes = IPCError(.trailingBytes, "trailing bytes after the message")

    public static func unknownTag(_ tag: UInt8) -> IPCError {
        IPCError(.unknownTag, "unknown outcome tag \(tag)")
    }

    public static func unknownOutcome(_ tag: UInt8) -> IPCError { unknownTag(tag) }

    public static func unknownRecordType(_ code: UInt16) -> IPCError {
        IPCError(.unknownTag, "unknown DNS record type \(code)")
    }

    public static func badAddressLength(_ count: Int) -> IPCError {
        IPCError(.malformed, "address record of \(count) bytes")
    }

    public static func nameTooLong(_ count: Int) -> IPCError {
        IPCError(.fieldTooLong, "name of \(count) bytes")
    }

    /// A scan message field over its limit.
    public static func tooLong(_ what: String) -> IPCError {
        IPCError(.fieldTooLong, "scan message with a \(what) above its limit")
    }

    public static func malformed(_ reason: String) -> IPCError {
        IPCError(.malformed, reason)
    }

    // MARK: Command lines and addresses

    public static func usage(_ reason: String) -> IPCError {
        IPCError(.usage, reason)
    }

    public static func unresolvable(host: String, reason: String) -> IPCError {
        IPCError(.unresolvable, "cannot resolve \(host): \(reason)")
    }
}
