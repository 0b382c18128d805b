/// clamd's `zINSTREAM` request: the command ended by NUL, then the message
/// in chunks, each a 4-byte big-endian length and that many bytes, then a
/// zero length. clamd answers one NUL-ended line and closes (`ClamdReply`).
///
///     zINSTREAM\0 <00 01 00 00><65536 bytes> <00 00 04 d2><1234 bytes> <00 00 00 00>
///
/// Perl's handler goes through ClamAV::Client's `scan_scalar`, which
/// streams the message the same way.
public enum ClamdRequest {
    public static let command = Array("zINSTREAM\0".utf8)
    /// clamd reads chunks into a buffer of its own; 64 KiB is what clamdscan sends.
    public static let chunkBytes = 65536
    /// The most of a message a scan may carry: clamd's own default
    /// `StreamMaxLength` (25 MB); a virus scan wants the whole message.
    public static let maximumMessageBytes = 25 << 20

    public static func encoded(message: [UInt8], chunkBytes: Int = chunkBytes) -> [UInt8] {
        let size = max(1, chunkBytes)
        var bytes = command
        bytes.reserveCapacity(command.count + message.count + (message.count / size + 2) * 4)
        var offset = 0
        while offset < message.count {
            let end = min(message.count, offset + size)
            appendLength(end - offset, to: &bytes)
            bytes.append(contentsOf: message[offset..<end])
            offset = end
        }
        appendLength(0, to: &bytes)
        return bytes
    }

    static func appendLength(_ length: Int, to bytes: inout [UInt8]) {
        let value = UInt32(length)
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }
}
