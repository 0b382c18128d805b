/// The receiving side of one channel direction, as pure value code: bytes
/// and descriptors go in as they arrive, checked messages come out. It
/// holds the rules of one `IPCMessageKind` type and refuses (throws an
/// `IPCViolation`) an unknown kind, a length header above that message's
/// limit (as soon as the header is in, before its payload is waited for),
/// a descriptor with a message that carries none and a missing one where
/// it is required. It never holds more than the largest frame of the
/// direction: `readCapacity` says how much the next read may take.
///
/// Which message a descriptor belongs to: the sender passes it with the
/// first bytes of its frame, and a unix stream socket's recvmsg ends with
/// the data that carried descriptors. So a descriptor belongs to the one
/// frame that starts within the bytes it arrived with and reaches their end.
public struct IPCInbox: Sendable {
    struct Rule: Sendable {
        var name: String
        var maximumPayload: Int
        var carriesDescriptor: Bool
    }

    struct PendingDescriptor: Sendable {
        var fd: Int32
        /// The stream offsets of the bytes it arrived with.
        var arrivedWith: Range<Int>
    }

    private let rules: [UInt8: Rule]
    private let kindType: ObjectIdentifier
    public let direction: String
    public let maximumFrameBytes: Int
    public let carriesDescriptors: Bool

    private var buffer: [UInt8] = []
    /// Stream offset of buffer[0].
    private var bufferStart = 0
    private var pending: [PendingDescriptor] = []

    public init<Kind: IPCMessageKind>(receiving: Kind.Type) {
        var rules: [UInt8: Rule] = [:]
        for kind in Kind.allKinds {
            rules[kind.code] = Rule(name: kind.name, maximumPayload: kind.maximumPayload, carriesDescriptor: kind.carriesDescriptor)
        }
        self.rules = rules
        kindType = ObjectIdentifier(Kind.self)
        direction = Kind.direction
        maximumFrameBytes = Kind.maximumFrameBytes
        carriesDescriptors = Kind.carriesDescriptors
    }

    /// How many bytes the next read may take without the buffer growing
    /// beyond the largest frame.
    public var readCapacity: Int { maximumFrameBytes - buffer.count }

    public var bufferedBytes: Int { buffer.count }

    /// Adds what one read returned. A descriptor on a direction that
    /// carries none is refused at once: the caller closes it (it is not
    /// kept here). The header of the frame now at the front is checked.
    public mutating func append(_ bytes: ArraySlice<UInt8>, descriptor: Int32 = -1) throws(IPCViolation) {
        precondition(bytes.count <= readCapacity, "read more than the inbox may hold")
        if descriptor >= 0 {
            guard carriesDescriptors else { throw .unexpectedDescriptor(kind: nil) }
            let end = bufferStart + buffer.count + bytes.count
            pending.append(PendingDescriptor(fd: descriptor, arrivedWith: (end - bytes.count)..<end))
        }
        buffer.append(contentsOf: bytes)
        _ = try frontRule()
    }

    /// Adds one message of a SOCK_SEQPACKET channel, where each recv
    /// returns one whole message (cut by the kernel to the read size when
    /// it is longer: read with `readCapacity + 1` bytes, so a cut one is
    /// seen here). It must be whole frames, each checked as `append`
    /// checks the front frame (unknown kind, header above the limit);
    /// anything else is `notWholeFrames`.
    public mutating func appendPacket(_ bytes: ArraySlice<UInt8>, descriptor: Int32 = -1) throws(IPCViolation) {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            guard bytes.endIndex - offset >= IPCFrame.headerBytes else { throw .notWholeFrames(bytes: bytes.count) }
            let length = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            guard length >= 1 else { throw .emptyFrame }
            let code = bytes[offset + 4]
            guard let rule = rules[code] else { throw .unknownKind(code) }
            guard length - 1 <= rule.maximumPayload else {
                throw .tooLarge(kind: rule.name, payload: length - 1, limit: rule.maximumPayload)
            }
            guard bytes.endIndex - offset >= 4 + length else { throw .notWholeFrames(bytes: bytes.count) }
            offset += 4 + length
        }
        guard bytes.count <= readCapacity else { throw .notWholeFrames(bytes: bytes.count) }
        try append(bytes, descriptor: descriptor)
    }

    /// The next complete message, or nil while more bytes are needed.
    public mutating func next<Kind: IPCMessageKind>(_ kind: Kind.Type) throws(IPCViolation) -> IPCMessage<Kind>? {
        precondition(ObjectIdentifier(Kind.self) == kindType, "an inbox for \(direction) decodes only its own kinds")
        guard let (code, rule, length) = try frontRule() else { return nil }
        guard buffer.count >= 4 + length else { return nil }
        let frameStart = bufferStart
        let frameEnd = bufferStart + 4 + length
        // A descriptor that arrived entirely before this frame belonged to
        // none (a frame that carries one claims it below).
        if pending.contains(where: { $0.arrivedWith.upperBound <= frameStart }) {
            throw .unexpectedDescriptor(kind: rule.name)
        }
        var descriptor: Int32 = -1
        if let index = pending.firstIndex(where: { $0.arrivedWith.contains(frameStart) && frameEnd >= $0.arrivedWith.upperBound }) {
            guard rule.carriesDescriptor else { throw .unexpectedDescriptor(kind: rule.name) }
            descriptor = pending.remove(at: index).fd
        } else if rule.carriesDescriptor {
            throw .missingDescriptor(kind: rule.name)
        }
        let payload = Array(buffer[5..<(4 + length)])
        buffer.removeFirst(4 + length)
        bufferStart = frameEnd
        // Kind(code:) cannot fail: the rules were built from Kind's cases.
        return IPCMessage(kind: Kind(code: code)!, payload: payload, descriptor: descriptor)
    }

    /// The descriptors received but not handed out, for the owner to close
    /// (after a violation, or when the channel goes away).
    public mutating func takeUnclaimedDescriptors() -> [Int32] {
        defer { pending.removeAll() }
        return pending.map(\.fd)
    }

    /// The kind and length of the frame at the front, checked, once its
    /// header (length and kind) is in.
    private func frontRule() throws(IPCViolation) -> (UInt8, Rule, Int)? {
        guard buffer.count >= 4 else { return nil }
        let length = Int(buffer[0]) << 24 | Int(buffer[1]) << 16 | Int(buffer[2]) << 8 | Int(buffer[3])
        guard length >= 1 else { throw .emptyFrame }
        guard buffer.count >= 5 else { return nil }
        let code = buffer[4]
        guard let rule = rules[code] else { throw .unknownKind(code) }
        guard length - 1 <= rule.maximumPayload else {
            throw .tooLarge(kind: rule.name, payload: length - 1, limit: rule.maximumPayload)
        }
        return (code, rule, length)
    }
}
