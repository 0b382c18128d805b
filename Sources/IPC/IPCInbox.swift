import Framing

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
///
/// The frames themselves are split by `FrameDecoder` (the one parser of
/// this wire shape, the milter decoders use it too) without a limit of its
/// own: the limit is each kind's, checked here once the kind byte is in.
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

    /// Every length the field can hold: the limits are per kind (`rules`).
    private var frames = FrameDecoder(maximumLength: Int(UInt32.max))
    /// Stream offset of the first byte `frames` holds.
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
    public var readCapacity: Int { maximumFrameBytes - frames.bufferedByteCount }

    public var bufferedBytes: Int { frames.bufferedByteCount }

    /// Adds what one read returned. A descriptor on a direction that
    /// carries none is refused at once: the caller closes it (it is not
    /// kept here). The header of the frame now at the front is checked.
    public mutating func append(_ bytes: ArraySlice<UInt8>, descriptor: Int32 = -1) throws(IPCViolation) {
        precondition(bytes.count <= readCapacity, "read more than the inbox may hold")
        if descriptor >= 0 {
            guard carriesDescriptors else { throw .unexpectedDescriptor(kind: nil) }
            let end = bufferStart + frames.bufferedByteCount + bytes.count
            pending.append(PendingDescriptor(fd: descriptor, arrivedWith: (end - bytes.count)..<end))
        }
        frames.append(contentsOf: bytes)
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
            guard bytes.endIndex - offset >= FrameHeader.byteCount, let header = try Self.parse(bytes[offset...]) else {
                throw .notWholeFrames(bytes: bytes.count)
            }
            _ = try Self.check(header, rules)
            guard bytes.endIndex - offset >= header.frameByteCount else { throw .notWholeFrames(bytes: bytes.count) }
            offset += header.frameByteCount
        }
        guard bytes.count <= readCapacity else { throw .notWholeFrames(bytes: bytes.count) }
        try append(bytes, descriptor: descriptor)
    }

    /// The next complete message, or nil while more bytes are needed.
    public mutating func next<Kind: IPCMessageKind>(_ kind: Kind.Type) throws(IPCViolation) -> IPCMessage<Kind>? {
        precondition(ObjectIdentifier(Kind.self) == kindType, "an inbox for \(direction) decodes only its own kinds")
        guard let (header, rule) = try frontRule(), bufferedBytes >= header.frameByteCount else { return nil }
        let frameStart = bufferStart
        let frameEnd = bufferStart + header.frameByteCount
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
        // Cannot be nil or throw: the header is in and checked, and so is the whole frame.
        guard let frame = try? frames.next() else { return nil }
        bufferStart = frameEnd
        // Kind(code:) cannot fail: the rules were built from Kind's cases.
        return IPCMessage(kind: Kind(code: header.kind)!, payload: Array(frame.payload), descriptor: descriptor)
    }

    /// The descriptors received but not handed out, for the owner to close
    /// (after a violation, or when the channel goes away).
    public mutating func takeUnclaimedDescriptors() -> [Int32] {
        defer { pending.removeAll() }
        return pending.map(\.fd)
    }

    /// The header of the frame at the front and its kind's rule, checked,
    /// once the header (length and kind) is in.
    private func frontRule() throws(IPCViolation) -> (FrameHeader, Rule)? {
        let header: FrameHeader?
        do { header = try frames.header() } catch { throw IPCViolation(error) }
        guard let header else { return nil }
        return (header, try Self.check(header, rules))
    }

    /// A header at the start of `bytes`.
    private static func parse(_ bytes: ArraySlice<UInt8>) throws(IPCViolation) -> FrameHeader? {
        do { return try FrameHeader.parse(bytes, maximumLength: Int(UInt32.max)) } catch { throw IPCViolation(error) }
    }

    /// A header's kind and length against the direction's rules.
    private static func check(_ header: FrameHeader, _ rules: [UInt8: Rule]) throws(IPCViolation) -> Rule {
        guard let rule = rules[header.kind] else { throw .unknownKind(header.kind) }
        guard header.payloadCount <= rule.maximumPayload else {
            throw .tooLarge(kind: rule.name, payload: header.payloadCount, limit: rule.maximumPayload)
        }
        return rule
    }
}

extension IPCViolation {
    /// The IPC names for the frame decoder's errors.
    init(_ error: FrameError) {
        switch error {
        case .zeroLength:
            self = .emptyFrame
        case .tooLong(let length, let maximum):
            // Not thrown: the inbox's decoder takes every length (the limits are per kind).
            self = .tooLarge(kind: "any", payload: Int(length) - 1, limit: maximum - 1)
        }
    }
}
