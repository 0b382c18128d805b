/// Turns the bytes a milter sends into `MilterResponse`s (client side, for the
/// load generator and tests). Same contract as `MilterDecoder`: `append`, then
/// `next()` until nil; any error is final.
public struct MilterResponseDecoder: Sendable {
    private var framer: MilterPacketFramer

    /// Responses are small (the largest is a header we add), but the same
    /// limit as for commands keeps the two sides symmetric.
    public init(maximumPacketSize: Int = MilterDecoder.defaultMaximumPacketSize) {
        framer = MilterPacketFramer(maximumPacketSize: maximumPacketSize)
    }

    public var maximumPacketSize: Int { framer.maximumPacketSize }

    public var bufferedByteCount: Int { framer.bufferedByteCount }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        framer.append(contentsOf: bytes)
    }

    public mutating func append(_ buffer: UnsafeRawBufferPointer) {
        framer.append(buffer)
    }

    /// The next complete response, or nil when more bytes are needed.
    public mutating func next() throws(MilterProtocolError) -> MilterResponse? {
        let frame = try framer.nextFrame { code in
            MilterResponseCode.isKnown(code) ? nil : .unknownResponse(code)
        }
        guard let frame else { return nil }
        do {
            return try MilterResponse.decode(code: frame.code, payload: frame.payload)
        } catch {
            framer.fail(error)
            throw error
        }
    }
}
