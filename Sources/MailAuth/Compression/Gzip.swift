import CZlib

/// gzip streams (RFC 1952) over zlib: aggregate reports travel as
/// `.xml.gz` (RFC 7489 section 7.2.1.1).
public enum Gzip {
    /// Why bytes could not be decompressed.
    public struct Error: Swift.Error, Equatable, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    /// zlib moves at most this much per call: its counters are 32 bits.
    private static let window = 1 << 30
    private static let outputChunk = 64 * 1024

    /// A complete one-member gzip stream of `bytes` (best compression:
    /// reports are small, and a receiver's `rua` may cap the size).
    public static func compress(_ bytes: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        // Only a bad parameter or no memory fails here; neither depends on
        // the input, so there is nothing a caller could do differently.
        guard am_deflate_init_gzip(&stream, Z_BEST_COMPRESSION) == Z_OK else {
            preconditionFailure("zlib: deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }

        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: outputChunk)
        bytes.withUnsafeBufferPointer { input in
            var position = 0
            while true {
                let take = min(input.count - position, window)
                // zlib's next_in is not const-qualified but never writes.
                stream.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: $0 + position) }
                stream.avail_in = UInt32(take)
                position += take
                let flush = position == input.count ? Z_FINISH : Z_NO_FLUSH
                var status = Z_OK
                repeat {
                    chunk.withUnsafeMutableBufferPointer { out in
                        stream.next_out = out.baseAddress
                        stream.avail_out = UInt32(out.count)
                        status = deflate(&stream, flush)
                    }
                    precondition(status != Z_STREAM_ERROR, "zlib: deflate stream state clobbered")
                    output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                } while flush == Z_FINISH ? status != Z_STREAM_END : (stream.avail_in > 0 || stream.avail_out == 0)
                if flush == Z_FINISH { break }
            }
        }
        return output
    }

    /// The data in a gzip stream; several members one after another (as
    /// `cat a.gz b.gz` makes) decompress to their concatenation. Throws
    /// for anything that is not a complete, intact gzip stream (bad header,
    /// bad CRC or length, truncation, trailing bytes that are not another
    /// member) and as soon as the output would exceed `limit` bytes, so a
    /// small hostile file cannot exhaust memory.
    public static func decompress(_ bytes: [UInt8], limit: Int) throws(Gzip.Error) -> [UInt8] {
        var stream = z_stream()
        guard am_inflate_init_gzip(&stream) == Z_OK else { throw Error("zlib: inflateInit2 failed") }
        defer { inflateEnd(&stream) }

        let result: Result<[UInt8], Gzip.Error> = bytes.withUnsafeBufferPointer { input in
            var output: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: outputChunk)
            var position = 0
            while true {
                if stream.avail_in == 0 && position < input.count {
                    let take = min(input.count - position, window)
                    stream.next_in = input.baseAddress.map { UnsafeMutablePointer(mutating: $0 + position) }
                    stream.avail_in = UInt32(take)
                    position += take
                }
                var status = Z_OK
                chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                if produced > max(limit, 0) - output.count {
                    return .failure(Error("gzip: data larger than \(max(limit, 0)) bytes"))
                }
                output.append(contentsOf: chunk[0..<produced])
                let inputLeft = stream.avail_in > 0 || position < input.count
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    guard inputLeft else { return .success(output) }
                    // Another member follows; its header is checked anew.
                    guard inflateReset(&stream) == Z_OK else { return .failure(Error("zlib: inflateReset failed")) }
                case Z_BUF_ERROR:
                    // Fresh output space every call: no progress means no input.
                    if !inputLeft { return .failure(Error("gzip: truncated stream")) }
                case Z_MEM_ERROR:
                    return .failure(Error("zlib: out of memory"))
                default:
                    // Z_DATA_ERROR, Z_NEED_DICT (not valid in gzip), Z_STREAM_ERROR.
                    let detail = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    return .failure(Error("gzip: corrupt data (\(detail))"))
                }
            }
        }
        return try result.get()
    }
}
