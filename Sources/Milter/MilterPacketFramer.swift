/// Splits a byte stream into milter packets: a 4-byte big-endian length that
/// counts the command byte and the data, the command byte, then the data.
///
/// Shared by the command decoder (server side) and the response decoder
/// (client side). It checks the length and the command byte as soon as they
/// arrive, so a hostile or confused peer is refused before it can make us
/// buffer a large packet. Any error is final: after it the stream has lost
/// its framing, later calls throw the same error and appended bytes are
/// dropped.
struct MilterPacketFramer: Sendable {
    /// The largest allowed length field (command byte + data).
    let maximumPacketSize: Int

    private var storage: [UInt8] = []
    /// Where the first byte not yet handed out as a packet is in `storage`.
    /// Consumed bytes are dropped lazily so each packet is not a memmove.
    private var readIndex = 0
    private(set) var failure: MilterProtocolError?

    init(maximumPacketSize: Int) {
        self.maximumPacketSize = maximumPacketSize
    }

    /// Bytes received but not yet returned as part of a packet. Non-zero at
    /// end of stream means the peer stopped in the middle of a packet.
    var bufferedByteCount: Int { storage.count - readIndex }

    mutating func append(contentsOf bytes: some Sequence<UInt8>) {
        guard failure == nil else { return }
        reclaimConsumedSpace()
        storage.append(contentsOf: bytes)
    }

    mutating func append(_ buffer: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        reclaimConsumedSpace()
        storage.append(contentsOf: buffer)
    }

    /// Records a failure found while parsing a packet's fields, so the stream
    /// stops there too.
    mutating func fail(_ error: MilterProtocolError) {
        failure = error
        storage = []
        readIndex = 0
    }

    /// The next complete packet, or nil when more bytes are needed.
    ///
    /// `rejectCode` names the error for a command byte this side of the
    /// conversation does not know, or returns nil to accept it. The payload is
    /// a view into the buffer, valid until the framer is next changed.
    mutating func nextFrame(
        rejectCode: (UInt8) -> MilterProtocolError?
    ) throws(MilterProtocolError) -> (code: UInt8, payload: ArraySlice<UInt8>)? {
        if let failure { throw failure }
        guard bufferedByteCount >= 4 else { return nil }
        let length =
            UInt32(storage[readIndex]) << 24 | UInt32(storage[readIndex + 1]) << 16
            | UInt32(storage[readIndex + 2]) << 8 | UInt32(storage[readIndex + 3])
        if length == 0 {
            throw failing(.zeroLengthPacket)
        }
        // Compared as UInt64 so neither a negative limit nor a 32-bit Int can trap.
        if UInt64(length) > UInt64(max(maximumPacketSize, 0)) {
            throw failing(.oversizedPacket(size: length, maximum: maximumPacketSize))
        }
        guard bufferedByteCount >= 5 else { return nil }
        let code = storage[readIndex + 4]
        if let error = rejectCode(code) {
            throw failing(error)
        }
        let packetEnd = readIndex + 4 + Int(length)
        guard storage.count >= packetEnd else { return nil }
        let payload = storage[(readIndex + 5)..<packetEnd]
        readIndex = packetEnd
        return (code, payload)
    }

    private mutating func failing(_ error: MilterProtocolError) -> MilterProtocolError {
        fail(error)
        return error
    }

    /// Drops consumed bytes once they are at least as many as the unconsumed
    /// ones, which keeps both the copying and the memory amortised linear.
    private mutating func reclaimConsumedSpace() {
        guard readIndex > 0 else { return }
        if readIndex == storage.count {
            storage.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex >= storage.count - readIndex {
            storage.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }
}
