/// The one error of the Framing module: why the frame at the front of a
/// stream cannot be read. Both come from
/// the length field alone; each user names them in its own terms
/// (`MilterProtocolError.zeroLengthPacket` and `.oversizedPacket`,
/// `IPCViolation.emptyFrame`). After either the stream has lost its
/// framing.
public enum FrameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A length field of 0: a frame holds at least its kind byte.
    case zeroLength
    /// A length field (kind byte + payload) above the decoder's limit.
    case tooLong(length: UInt32, maximum: Int)

    public var description: String {
        switch self {
        case .zeroLength:
            "frame with length 0 (no kind byte)"
        case .tooLong(let length, let maximum):
            "frame of \(length) bytes exceeds the limit of \(maximum)"
        }
    }

    /// What a program or a test matches, without the numbers.
    public enum Code: String, Hashable, Sendable {
        case zeroLength = "zero-length"
        case tooLong = "too-long"
    }

    public var code: Code {
        switch self {
        case .zeroLength: .zeroLength
        case .tooLong: .tooLong
        }
    }

    /// The reason in words (the same as `description`).
    public var reason: String { description }
}
