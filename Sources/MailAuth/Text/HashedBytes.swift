/// Bytes as a dictionary key, hashed in one call over the whole buffer.
/// `[UInt8]` itself hashes element by element (one `Hasher.combine` per
/// byte), which showed in the profiles of the record caches (keys of
/// hundreds of bytes) and of DKIM's header selection (issue 12).
public struct HashedBytes: Hashable, Sendable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    public static func == (a: HashedBytes, b: HashedBytes) -> Bool {
        a.bytes == b.bytes
    }
}
