import Framing

/// Framing for every socketpair between our processes (master, worker, DNS
/// helper, spool): a 4-byte big-endian length of what follows, one byte of
/// message kind, then the payload. Pure value code: no I/O here. The
/// receiving side is `IPCInbox`, which checks each frame against its
/// direction's messages (`IPCMessageKind`).
public struct IPCFrame: Equatable, Sendable {
    public var kind: UInt8
    public var payload: [UInt8]

    /// The 4-byte length and the kind byte before the payload.
    public static let headerBytes = FrameHeader.byteCount

    public init(kind: UInt8, payload: [UInt8] = []) {
        self.kind = kind
        self.payload = payload
    }

    public init(_ kind: some IPCMessageKind, payload: [UInt8] = []) {
        self.init(kind: kind.code, payload: payload)
    }

    public func encoded() -> [UInt8] {
        FrameHeader.encode(kind: kind, payload: payload)
    }
}

/// Little helpers to build and read IPC payloads field by field.
public struct IPCWriter: Sendable {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public mutating func u8(_ v: UInt8) { bytes.append(v) }
    public mutating func u16(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(v & 0xff)) }
    public mutating func u32(_ v: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }
    public mutating func u64(_ v: UInt64) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }
    public mutating func data(_ v: [UInt8]) { u32(UInt32(v.count)); bytes.append(contentsOf: v) }
    public mutating func string(_ v: String) { data(Array(v.utf8)) }
}

public struct IPCReader: Sendable {
    public enum ReadError: Error, Equatable { case truncated }
    private let bytes: [UInt8]
    private var offset = 0
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var isAtEnd: Bool { offset >= bytes.count }
    public mutating func u8() throws(ReadError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }
    public mutating func u16() throws(ReadError) -> UInt16 {
        UInt16(try u8()) << 8 | UInt16(try u8())
    }
    public mutating func u32() throws(ReadError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<4 { v = v << 8 | UInt32(try u8()) }
        return v
    }
    public mutating func u64() throws(ReadError) -> UInt64 {
        var v: UInt64 = 0
        for _ in 0..<8 { v = v << 8 | UInt64(try u8()) }
        return v
    }
    public mutating func data() throws(ReadError) -> [UInt8] {
        let n = Int(try u32())
        guard n <= bytes.count - offset else { throw .truncated }
        defer { offset += n }
        return Array(bytes[offset..<(offset + n)])
    }
    public mutating func string() throws(ReadError) -> String {
        String(decoding: try data(), as: UTF8.self)
    }
}
