/// Turns the bytes an MTA sends into `MilterCommand`s (server side).
///
/// Feed it whatever the socket returned with `append`, then call `next()`
/// until it returns nil (a packet is incomplete). Any error is final: the
/// stream has lost its framing, every later `next()` throws the same error
/// and the connection should be closed.
///
/// Memory stays bounded by one packet plus one read as long as the caller
/// drains `next()` after each `append`: an oversized length is refused as soon
/// as its 4 bytes arrive, before any of the data is buffered.
public struct MilterDecoder: Sendable {
    /// 1 MiB + 64 KiB for the length field (command byte + data).
    ///
    /// libmilter's largest setting (`MILTER_MDS_1M`) allows 1 MiB − 1 data
    /// bytes, i.e. a length of exactly 1 MiB; Postfix sends body chunks of at
    /// most 64 KiB but a header field in one packet, up to its
    /// `header_size_limit` (100 KiB by default). The extra 64 KiB lets a header
    /// of a full 1 MiB through together with its name, so an MTA configured up
    /// to the usual 1 MiB limits is never refused, while a peer cannot make a
    /// worker hold more than about a megabyte per connection.
    public static let defaultMaximumPacketSize = (1 << 20) + (64 << 10)

    private var framer: MilterPacketFramer

    public init(maximumPacketSize: Int = MilterDecoder.defaultMaximumPacketSize) {
        framer = MilterPacketFramer(maximumPacketSize: maximumPacketSize)
    }

    /// The largest allowed length field (command byte + data).
    public var maximumPacketSize: Int { framer.maximumPacketSize }

    /// Bytes received but not yet decoded. Non-zero when the MTA closes the
    /// connection means it stopped in the middle of a packet.
    public var bufferedByteCount: Int { framer.bufferedByteCount }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        framer.append(contentsOf: bytes)
    }

    public mutating func append(_ buffer: UnsafeRawBufferPointer) {
        framer.append(buffer)
    }

    /// The next complete command, or nil when more bytes are needed.
    public mutating func next() throws(MilterProtocolError) -> MilterCommand? {
        guard let frame = try nextFrame() else { return nil }
        do {
            return try MilterCommand.decode(code: frame.code, payload: frame.payload)
        } catch {
            framer.fail(error)
            throw error
        }
    }

    /// Like `next()`, but keeps the packet's data as received, for callers
    /// that need exact bytes (a header value that is not UTF-8 must reach a
    /// DKIM hash unchanged; the `String` in `MilterCommand` cannot carry it).
    public mutating func nextPacket() throws(MilterProtocolError) -> MilterPacket? {
        guard let frame = try nextFrame() else { return nil }
        do {
            return try MilterPacket(code: frame.code, payload: Array(frame.payload))
        } catch {
            framer.fail(error)
            throw error
        }
    }

    private mutating func nextFrame() throws(MilterProtocolError) -> (code: UInt8, payload: ArraySlice<UInt8>)? {
        try framer.nextFrame { code in
            MilterCommandCode.isKnown(code) ? nil : .unknownCommand(code)
        }
    }
}
