/// The wire shape shared by milter packets and the frames between our own
/// processes: a 4-byte big-endian length that counts the kind byte and the
/// payload, one kind byte (the milter command or response code, the IPC
/// message kind), then the payload.
public struct FrameHeader: Equatable, Sendable {
    /// The length field and the kind byte.
    public static let byteCount = 5

    /// The length field: the kind byte and the payload. Never 0.
    public var length: Int
    public var kind: UInt8

    public init(length: Int, kind: UInt8) {
        self.length = length
        self.kind = kind
    }

    /// The payload bytes after the kind byte.
    public var payloadCount: Int { length - 1 }
    /// The whole frame: the length field, the kind byte and the payload.
    public var frameByteCount: Int { 4 + length }

    /// The header of the frame at the start of `bytes`, checked: nil while
    /// fewer than 5 bytes are there, but a length field of 0 or above
    /// `maximumLength` is refused as soon as its 4 bytes are, before the
    /// kind byte and the payload are waited for. The limit is compared
    /// without trapping for any `maximumLength`, negative ones included
    /// (they refuse every frame).
    public static func parse(_ bytes: ArraySlice<UInt8>, maximumLength: Int) throws(FrameError) -> FrameHeader? {
        guard bytes.count >= 4 else { return nil }
        let start = bytes.startIndex
        let length = UInt32(bytes[start]) << 24 | UInt32(bytes[start + 1]) << 16
            | UInt32(bytes[start + 2]) << 8 | UInt32(bytes[start + 3])
        guard length > 0 else { throw .zeroLength }
        // As UInt64 so neither a negative limit nor a 32-bit Int can trap.
        guard UInt64(length) <= UInt64(max(maximumLength, 0)) else {
            throw .tooLong(length: length, maximum: maximumLength)
        }
        guard bytes.count >= byteCount else { return nil }
        return FrameHeader(length: Int(length), kind: bytes[start + 4])
    }

    /// A length field as its 4 big-endian bytes (cut to 32 bits).
    public static func lengthField(_ length: Int) -> [UInt8] {
        let value = UInt32(truncatingIfNeeded: length)
        return [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
                UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// One whole frame: the header for `payload`, then `payload`. An array,
    /// not a generic collection: callers are in other modules, where a
    /// generic is not specialised and copies byte by byte (issue 12).
    public static func encode(kind: UInt8, payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount + payload.count)
        bytes.append(contentsOf: lengthField(payload.count + 1))
        bytes.append(kind)
        bytes.append(contentsOf: payload)
        return bytes
    }
}
