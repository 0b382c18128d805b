import Framing

/// How one milter packet becomes a value: the one thing the command decoder
/// (server side) and the response decoder (client side) do differently.
public protocol MilterPacketDecodable: Sendable {
    /// The error for a packet code this side of the conversation does not
    /// know, or nil to accept it. Asked as soon as the code byte arrives,
    /// before the packet's data is waited for.
    static func refusal(ofCode code: UInt8) -> MilterProtocolError?
    /// The value of one whole packet.
    static func decode(code: UInt8, payload: ArraySlice<UInt8>) throws(MilterProtocolError) -> Self
}

/// Turns the bytes an MTA sends into `MilterCommand`s (server side).
public typealias MilterDecoder = MilterStreamDecoder<MilterCommand>

/// Turns the bytes a milter sends into `MilterResponse`s (client side, for
/// the load generator and tests).
public typealias MilterResponseDecoder = MilterStreamDecoder<MilterResponse>

/// Turns a milter byte stream into values, one per packet (`MilterDecoder`
/// for commands, `MilterResponseDecoder` for responses).
///
/// Feed it whatever the socket returned with `append`, then call `next()`
/// until it returns nil (a packet is incomplete). Any error is final: the
/// stream has lost its framing, every later `next()` throws the same error,
/// appended bytes are dropped and the connection should be closed.
///
/// Memory stays bounded by one packet plus one read as long as the caller
/// drains `next()` after each `append`: an oversized length is refused as
/// soon as its 4 bytes arrive and an unknown code as soon as its byte does,
/// before any of the data is buffered (`FrameDecoder`).
public struct MilterStreamDecoder<Value: MilterPacketDecodable>: Sendable {
    /// 1 MiB + 64 KiB for the length field (command byte + data).
    ///
    /// libmilter's largest setting (`MILTER_MDS_1M`) allows 1 MiB − 1 data
    /// bytes, i.e. a length of exactly 1 MiB; Postfix sends body chunks of at
    /// most 64 KiB but a header field in one packet, up to its
    /// `header_size_limit` (100 KiB by default). The extra 64 KiB lets a header
    /// of a full 1 MiB through together with its name, so an MTA configured up
    /// to the usual 1 MiB limits is never refused, while a peer cannot make a
    /// worker hold more than about a megabyte per connection. Responses are
    /// small (the largest is a header we add), but the same limit keeps the
    /// two sides symmetric.
    public static var defaultMaximumPacketSize: Int { (1 << 20) + (64 << 10) }

    private var frames: FrameDecoder
    private var failure: MilterProtocolError?

    public init(maximumPacketSize: Int = Self.defaultMaximumPacketSize) {
        frames = FrameDecoder(maximumLength: maximumPacketSize)
    }

    /// The largest allowed length field (command byte + data).
    public var maximumPacketSize: Int { frames.maximumLength }

    /// Bytes received but not yet decoded. Non-zero when the peer closes the
    /// connection means it stopped in the middle of a packet.
    public var bufferedByteCount: Int { frames.bufferedByteCount }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        guard failure == nil else { return }
        frames.append(contentsOf: bytes)
    }

    public mutating func append(_ buffer: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        frames.append(buffer)
    }

    /// What a read returns, copied in one go (see `FrameDecoder`).
    public mutating func append(_ bytes: ArraySlice<UInt8>) {
        guard failure == nil else { return }
        frames.append(contentsOf: bytes)
    }

    /// The next complete value, or nil when more bytes are needed.
    public mutating func next() throws(MilterProtocolError) -> Value? {
        try next(as: Value.decode)
    }

    /// The next complete packet made a value by `decode` (which throws for
    /// the same reasons `Value.decode` does), or nil when more bytes are
    /// needed.
    mutating func next<Result>(
        as decode: (UInt8, ArraySlice<UInt8>) throws(MilterProtocolError) -> Result
    ) throws(MilterProtocolError) -> Result? {
        if let failure { throw failure }
        let header: FrameHeader?
        do { header = try frames.header() } catch { throw fail(MilterProtocolError(error)) }
        guard let header else { return nil }
        if let refusal = Value.refusal(ofCode: header.kind) { throw fail(refusal) }
        let frame: FrameDecoder.Frame?
        do { frame = try frames.next() } catch { throw fail(MilterProtocolError(error)) }
        guard let frame else { return nil }
        do {
            return try decode(frame.header.kind, frame.payload)
        } catch {
            throw fail(error)
        }
    }

    private mutating func fail(_ error: MilterProtocolError) -> MilterProtocolError {
        failure = error
        frames.removeAll()
        return error
    }
}

extension MilterStreamDecoder where Value == MilterCommand {
    /// Like `next()`, but keeps the packet's data as received, for callers
    /// that need exact bytes (a header value that is not UTF-8 must reach a
    /// DKIM hash unchanged; the `String` in `MilterCommand` cannot carry it).
    public mutating func nextPacket() throws(MilterProtocolError) -> MilterPacket? {
        try next { (code, payload) throws(MilterProtocolError) in try MilterPacket(code: code, payload: Array(payload)) }
    }
}

extension MilterCommand: MilterPacketDecodable {
    public static func refusal(ofCode code: UInt8) -> MilterProtocolError? {
        MilterCommandCode.isKnown(code) ? nil : .unknownCommand(code)
    }
}

extension MilterResponse: MilterPacketDecodable {
    public static func refusal(ofCode code: UInt8) -> MilterProtocolError? {
        MilterResponseCode.isKnown(code) ? nil : .unknownResponse(code)
    }
}

extension MilterProtocolError {
    /// The milter names for the frame decoder's errors.
    init(_ error: FrameError) {
        switch error {
        case .zeroLength: self = .zeroLengthPacket
        case .tooLong(let length, let maximum): self = .oversizedPacket(size: length, maximum: maximum)
        }
    }
}
