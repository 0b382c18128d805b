/// Splits a byte stream into length-prefixed frames (`FrameHeader`): the
/// one parser under the milter decoders (`MilterStreamDecoder`) and the IPC
/// inboxes (`IPCInbox`). Pure value code: bytes go in as a socket returned
/// them, whole frames come out; no I/O here.
///
/// It checks the length field as soon as its 4 bytes are in
/// (`maximumLength`), so a peer cannot make us buffer a large frame; what
/// a kind byte means and which kinds are allowed is the user's business:
/// it reads `header()` after each `append`, before the payload is waited
/// for. It does not remember failures: a user whose stream is over after
/// one (the milter decoders) keeps that state itself.
public struct FrameDecoder: Sendable {
    /// One whole frame. The payload is a view into the decoder's buffer,
    /// valid until the decoder is next changed.
    public struct Frame: Sendable {
        public var header: FrameHeader
        public var payload: ArraySlice<UInt8>
    }

    /// The largest length field (kind byte + payload) accepted.
    public let maximumLength: Int

    private var storage: [UInt8] = []
    /// Where the first byte not yet handed out as a frame is in `storage`.
    /// Consumed bytes are dropped lazily so each frame is not a memmove.
    private var readIndex = 0

    public init(maximumLength: Int) {
        self.maximumLength = maximumLength
    }

    /// Bytes received but not yet returned as part of a frame. Non-zero at
    /// the end of the stream means the peer stopped in the middle of one.
    public var bufferedByteCount: Int { storage.count - readIndex }

    public mutating func append(contentsOf bytes: some Sequence<UInt8>) {
        reclaimConsumedSpace()
        storage.append(contentsOf: bytes)
    }

    /// The same for the slice a read returns: a concrete type, so the copy
    /// is one memcpy rather than the generic path's byte-by-byte loop
    /// (callers are in other modules, where the generic is not
    /// specialised; issue 12).
    public mutating func append(contentsOf bytes: ArraySlice<UInt8>) {
        reclaimConsumedSpace()
        bytes.withUnsafeBytes { storage.append(contentsOf: $0) }
    }

    public mutating func append(_ buffer: UnsafeRawBufferPointer) {
        reclaimConsumedSpace()
        storage.append(contentsOf: buffer)
    }

    /// Drops everything buffered (the stream is over).
    public mutating func removeAll() {
        storage = []
        readIndex = 0
    }

    /// The header of the frame at the front, once its length field and kind
    /// byte are in (the length is checked as soon as its 4 bytes are).
    public func header() throws(FrameError) -> FrameHeader? {
        try FrameHeader.parse(storage[readIndex...], maximumLength: maximumLength)
    }

    /// The frame at the front once all of it is in, taken off the stream;
    /// nil while more bytes are needed.
    public mutating func next() throws(FrameError) -> Frame? {
        guard let header = try header(), bufferedByteCount >= header.frameByteCount else { return nil }
        let end = readIndex + header.frameByteCount
        let payload = storage[(readIndex + FrameHeader.byteCount)..<end]
        readIndex = end
        return Frame(header: header, payload: payload)
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
